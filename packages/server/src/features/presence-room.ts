import type { LeaveReason } from '@ghost/protocol';
import type { HubMetrics } from '../metrics.js';
import type { PresenceKey } from '../options.js';

/** A connection as a room sees it: plain values, so a room needs no socket. */
export interface Participant {
  readonly id: string;
  readonly color: string;
  readonly user?: { readonly id: string } | undefined;
  /** `JSON.stringify(user)`, made once because it is sent in every presence join. */
  readonly userJson: string | undefined;
}

/** A member as it travels between nodes: JSON fragments made once by its own node. */
export interface MemberFragments {
  id: string;
  /** `"id":…,"color":…,"user":…` */
  head: string;
  /** `JSON.stringify(state)` */
  state: string;
  /** When that node's connection tracked this state (its clock, ms): the newest share shows. */
  at?: number;
}

/** One tick of changes to one node's shares of members. */
export interface RoomChanges {
  joins: MemberFragments[];
  updates: { id: string; state: string; at?: number }[];
  leaves: { id: string; reason: LeaveReason }[];
}

/**
 * One node's part in a member. Keyed by connection, a member has one share; keyed by user, each node
 * with a tab of that user holds one, and the member stays while any share does.
 */
interface Share {
  head: string;
  state: string;
  at: number;
}

interface LocalShare extends Share {
  /** Whether the other nodes may know it: its join went out in a tick (or would have, had anyone watched). */
  published: boolean;
}

interface MemberEntry {
  /** The member id others see: a connection id, or a user id when presence is keyed by user. */
  id: string;
  /** `"id":…,"color":…,"user":…` of the share that made the member. */
  headJson: string;
  /** The newest share's `JSON.stringify(state)`, made once when tracked and reused by every frame. */
  stateJson: string;
  /** Ids of the local connections whose `track` made this node's share; it ends when the last one untracks. */
  trackers: Set<string>;
  /** This node's share, while one of its connections tracks. */
  local: LocalShare | undefined;
  /** Other nodes' shares, by node id. */
  remote: Map<string, Share>;
  /** Whether watchers have been told about this member (in a snapshot or a sent diff). */
  announced: boolean;
}

/** A connection's id as a presence member. Connections without a user are keyed by themselves. */
export function memberIdOf(connection: Participant, keyBy: PresenceKey): string {
  return keyBy === 'user' && connection.user ? connection.user.id : connection.id;
}

/** One entry of a diff for watchers: the member it is about, the list it goes in, and its JSON. */
export interface DiffEntry {
  id: string;
  list: 'joins' | 'updates' | 'leaves';
  json: string;
}

/** What one tick takes out of a room: the entries for its watchers, and the changes to this node's shares. */
export interface RoomTick {
  entries: DiffEntry[];
  /** For the other nodes; undefined when this node's shares did not change. */
  own: RoomChanges | undefined;
}

/** How a room is set up. */
export interface PresenceRoomOptions<W extends Participant> {
  /** @default 'connection' */
  keyBy?: PresenceKey;
  /**
   * This node's id: when two shares were tracked in the same millisecond, the greater node id wins on
   * every node alike.
   */
  node?: string;
  metrics?: HubMetrics;
  /** Called whenever the room changed in a way the next tick must see (its changes, a watcher gone). */
  changed?(room: PresenceRoom<W>): void;
}

/**
 * One presence room as this node sees it: its local watchers, every member with each node's share of
 * it, and the changes not yet taken. Watchers see a member while any node holds a share, with the
 * newest share's state; other nodes hear of this node's shares only. Changes are coalesced until
 * `take` (once per tick): a member's newest state wins, a join and a leave within one tick cancel out,
 * and each entry is JSON made once per change, by the node that tracked it. State only: it sends
 * nothing (the batcher does), so it runs on plain values.
 */
export class PresenceRoom<W extends Participant = Participant> {
  readonly watchers = new Map<string, W>();
  // Insertion order is join order, which is the order `others` shows.
  private readonly members = new Map<string, MemberEntry>();
  private readonly joins = new Set<string>();
  private readonly updates = new Set<string>();
  private readonly leaves = new Map<string, LeaveReason>();
  /** Changes to this node's shares not yet told to the other nodes. */
  private readonly ownJoins = new Set<string>();
  private readonly ownUpdates = new Set<string>();
  private readonly ownLeaves = new Map<string, LeaveReason>();

  constructor(readonly name: string, private readonly options: PresenceRoomOptions<W> = {}) {}

  /**
   * Every member as watchers see it (`{"id","color","user","state"}` JSON), with the node whose share
   * shows (undefined: this one).
   */
  list(): { json: string; owner: string | undefined }[] {
    return [...this.members.values()].map((entry) => ({ json: memberJson(entry), owner: ownerOf(entry, newest(entry, this.options.node)) }));
  }

  get memberCount(): number {
    return this.members.size;
  }

  get isDirty(): boolean {
    return this.joins.size + this.updates.size + this.leaves.size + this.ownJoins.size + this.ownUpdates.size + this.ownLeaves.size > 0;
  }

  /** Nothing here needs this room any more: no local watcher, no local member, nothing left to send. */
  get isIdle(): boolean {
    if (this.watchers.size > 0 || this.isDirty) return false;
    return !this.hasLocalMembers;
  }

  /** The member id of a connection in this room. */
  memberId(connection: Participant): string {
    return memberIdOf(connection, this.options.keyBy ?? 'connection');
  }

  /**
   * Adds a watcher. It needs the room's `snapshot` next, before any later diff: the snapshot holds the
   * announced members, the pending changes reach it with the next tick.
   */
  watch(watcher: W): void {
    this.watchers.set(watcher.id, watcher);
  }

  /** Every announced member but `except` (a member id), as watchers see them: what a snapshot lists. */
  snapshot(except: string): string[] {
    const members: string[] = [];
    for (const [id, entry] of this.members) {
      if (entry.announced && id !== except) members.push(memberJson(entry));
    }
    return members;
  }

  unwatch(watcher: Participant): void {
    this.watchers.delete(watcher.id);
    this.options.changed?.(this); // it may go idle, and the other nodes may need telling
  }

  /** Sets the state of the connection's member; with per-user keys, the last tab to track wins. */
  track(connection: Participant, stateJson: string): void {
    const id = this.memberId(connection);
    let entry = this.members.get(id);
    if (entry?.local) {
      // Never older than what this share said before, even if the clock stepped back.
      entry.local.at = Math.max(Date.now(), entry.local.at + 1);
      entry.local.state = stateJson;
      if (entry.local.published && !this.ownJoins.has(id)) this.ownUpdates.add(id);
    } else {
      const user = connection.userJson === undefined ? '' : `,"user":${connection.userJson}`;
      const head = `"id":${JSON.stringify(id)},"color":"${connection.color}"${user}`;
      entry ??= this.add({ id, head, state: stateJson });
      // Ended and taken up again within one tick: the others know it still, and get a join of a share
      // they have (an update to them) instead of a leave and a join.
      entry.local = { head, state: stateJson, at: Date.now(), published: this.ownLeaves.delete(id) };
      this.ownJoins.add(id);
    }
    entry.trackers.add(connection.id);
    this.showNewest(entry);
    this.options.changed?.(this);
  }

  /** Takes the connection's tracking back; this node's share ends when no connection of it tracks any more. */
  untrack(connection: Participant, reason: LeaveReason): void {
    const entry = this.members.get(this.memberId(connection));
    if (entry && entry.trackers.delete(connection.id) && entry.trackers.size === 0 && entry.local) {
      const { published } = entry.local;
      entry.local = undefined;
      this.ownUpdates.delete(entry.id);
      this.ownJoins.delete(entry.id);
      if (published) this.ownLeaves.set(entry.id, reason); // else the others never heard of it
      this.endShare(entry, reason);
    }
    this.options.changed?.(this);
  }

  /**
   * Merges one tick of changes that node `owner` made to its shares. A member leaves only when its last
   * share ends; until then watchers see the newest remaining share's state.
   */
  applyRemote(owner: string, changes: Partial<RoomChanges>): void {
    // A sync answer repeats what we may have already: watchers hear only of a change to what shows. A
    // node that sends no time (an older version) is taken as newest when heard.
    for (const member of changes.joins ?? []) {
      const entry = this.members.get(member.id) ?? this.add(member);
      const share = entry.remote.get(owner);
      if (!share) entry.remote.set(owner, { head: member.head, state: member.state, at: member.at ?? Date.now() });
      else Object.assign(share, { state: member.state, at: member.at ?? Date.now() });
      this.showNewest(entry);
    }
    for (const { id, state, at } of changes.updates ?? []) {
      const entry = this.members.get(id);
      const share = entry?.remote.get(owner);
      if (!entry || !share) continue;
      Object.assign(share, { state, at: at ?? Date.now() });
      this.showNewest(entry);
    }
    for (const { id, reason } of changes.leaves ?? []) {
      const entry = this.members.get(id);
      if (entry?.remote.delete(owner)) this.endShare(entry, reason);
    }
    this.options.changed?.(this);
  }

  /** Makes `members` the whole of what node `owner` holds here: its other shares end. */
  replaceOwner(owner: string, members: MemberFragments[]): void {
    const current = new Set(members.map((m) => m.id));
    for (const entry of [...this.members.values()]) {
      if (!current.has(entry.id) && entry.remote.delete(owner)) this.endShare(entry, 'left');
    }
    this.applyRemote(owner, { joins: members });
  }

  /** Whether this node holds a share of any member here (announced or not yet). */
  get hasLocalMembers(): boolean {
    for (const entry of this.members.values()) if (entry.local) return true;
    return false;
  }

  /** Whether node `owner` holds a share of a member here. */
  hasOwner(owner: string): boolean {
    for (const entry of this.members.values()) if (entry.remote.has(owner)) return true;
    return false;
  }

  /**
   * Forgets every member other nodes own, telling nobody: with no watcher here they are not needed, and
   * their nodes stop sending their changes, so a kept copy would go stale.
   */
  forgetRemote(): void {
    for (const entry of [...this.members.values()]) {
      entry.remote.clear();
      if (entry.local) {
        entry.stateJson = entry.local.state; // nobody watches here: no update to send
        continue;
      }
      this.members.delete(entry.id);
      this.joins.delete(entry.id);
      this.updates.delete(entry.id);
    }
    // Leaves still pending are those of members nobody holds any more: nobody here is left to tell.
    this.leaves.clear();
  }

  /** Ends every share a node holds, as when that node stopped answering. */
  dropOwner(owner: string, reason: LeaveReason): void {
    for (const entry of [...this.members.values()]) if (entry.remote.delete(owner)) this.endShare(entry, reason);
    this.options.changed?.(this);
  }

  /** This node's own shares, those the others may know, for a node that asks to sync. */
  localMembers(): MemberFragments[] {
    const members: MemberFragments[] = [];
    for (const entry of this.members.values()) {
      const share = entry.local;
      if (share?.published) members.push({ id: entry.id, head: share.head, state: share.state, at: share.at });
    }
    return members;
  }

  /**
   * Takes the coalesced changes of this tick: the entries for local watchers (joins, then updates,
   * then leaves; a member is in one list at most), and the changes to this node's own shares, for the
   * other nodes. From now on the joined members count as announced.
   */
  take(forOthers = true): RoomTick {
    if (!this.isDirty) return { entries: [], own: undefined };
    const own = this.takeOwn(forOthers);
    const entries: DiffEntry[] = [];
    for (const id of this.joins) {
      const entry = this.members.get(id)!;
      entry.announced = true;
      entries.push({ id, list: 'joins', json: memberJson(entry) });
    }
    for (const id of this.updates) {
      const entry = this.members.get(id)!;
      entries.push({ id, list: 'updates', json: `{"id":${JSON.stringify(id)},"state":${entry.stateJson}}` });
    }
    for (const [id, reason] of this.leaves) {
      entries.push({ id, list: 'leaves', json: `{"id":${JSON.stringify(id)},"reason":"${reason}"}` });
    }
    this.joins.clear();
    this.updates.clear();
    this.leaves.clear();
    return { entries, own };
  }

  /** The changes to this node's shares since the last tick, which from now on the others may know. */
  private takeOwn(forOthers: boolean): RoomChanges | undefined {
    if (this.ownJoins.size + this.ownUpdates.size + this.ownLeaves.size === 0) return undefined;
    if (!forOthers) {
      // No other node hears of this room's changes now (one that starts to gets the published shares
      // in a sync instead): the joins still count as published, and nothing else is built.
      for (const id of this.ownJoins) this.members.get(id)!.local!.published = true;
      this.ownJoins.clear();
      this.ownUpdates.clear();
      this.ownLeaves.clear();
      return undefined;
    }
    const own: RoomChanges = { joins: [], updates: [], leaves: [] };
    for (const id of this.ownJoins) {
      const share = this.members.get(id)!.local!;
      share.published = true;
      own.joins.push({ id, head: share.head, state: share.state, at: share.at });
    }
    for (const id of this.ownUpdates) {
      const share = this.members.get(id)!.local!;
      own.updates.push({ id, state: share.state, at: share.at });
    }
    for (const [id, reason] of this.ownLeaves) own.leaves.push({ id, reason });
    this.ownJoins.clear();
    this.ownUpdates.clear();
    this.ownLeaves.clear();
    return own;
  }

  /** A new member, with no share yet: the caller adds the one that made it. */
  private add(member: MemberFragments): MemberEntry {
    // Left and came back within one tick: the leave is never sent, so older watchers see no flicker
    // (a join of a member they know is an update to them), and one whose snapshot was taken in
    // between still learns the member in full. Watchers know it still: it stays announced.
    const announced = this.leaves.delete(member.id);
    const entry: MemberEntry = { id: member.id, headJson: member.head, stateJson: member.state, trackers: new Set(), local: undefined, remote: new Map(), announced };
    this.members.set(member.id, entry);
    this.joins.add(member.id);
    return entry;
  }

  /** Shows the newest share's state to watchers, if it is not what they see already. */
  private showNewest(entry: MemberEntry): void {
    const share = newest(entry, this.options.node);
    if (share && share.state !== entry.stateJson) this.setState(entry, share.state);
  }

  /** One share of the member ended: it leaves if that was the last, else the newest remaining shows. */
  private endShare(entry: MemberEntry, reason: LeaveReason): void {
    if (entry.local || entry.remote.size > 0) this.showNewest(entry);
    else this.remove(entry, reason);
  }

  private setState(entry: MemberEntry, stateJson: string): void {
    const { metrics } = this.options;
    if (metrics && (this.updates.has(entry.id) || this.joins.has(entry.id))) metrics.presenceCoalesced += 1;
    entry.stateJson = stateJson;
    if (entry.announced && !this.joins.has(entry.id)) this.updates.add(entry.id);
  }

  private remove(entry: MemberEntry, reason: LeaveReason): void {
    this.members.delete(entry.id);
    this.updates.delete(entry.id);
    if (this.joins.delete(entry.id) && !entry.announced) return; // never announced: nothing to take back
    this.leaves.set(entry.id, reason);
  }
}

function memberJson(entry: MemberEntry): string {
  return `{${entry.headJson},"state":${entry.stateJson}}`;
}

/**
 * The share whose state the member shows: the latest tracked, the greater node id on a tie (this node
 * is `self`), so every node picks the same. Called on every move: it allocates nothing.
 */
function newest(entry: MemberEntry, self = ''): Share | undefined {
  let best: Share | undefined = entry.local;
  if (entry.remote.size === 0) return best; // one node: no iterator per move
  let bestNode = self;
  for (const [node, share] of entry.remote) {
    if (!best || share.at > best.at || (share.at === best.at && node > bestNode)) {
      best = share;
      bestNode = node;
    }
  }
  return best;
}

/** The node that holds `share` (undefined: this one). */
function ownerOf(entry: MemberEntry, share: Share | undefined): string | undefined {
  for (const [node, held] of entry.remote) if (held === share) return node;
  return undefined;
}
