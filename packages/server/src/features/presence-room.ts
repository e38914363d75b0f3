import type { LeaveReason } from '@ghost/protocol';
import type { Connection } from '../connection.js';
import type { HubMetrics } from '../ops/metrics.js';

/** Who a member is: each connection (`'connection'`), or each authenticated user across tabs (`'user'`). */
export type PresenceKey = 'connection' | 'user';

/** A member as it travels between nodes: JSON fragments made once by its own node. */
export interface MemberFragments {
  id: string;
  /** `"id":…,"color":…,"user":…` */
  head: string;
  /** `JSON.stringify(state)` */
  state: string;
}

/** One tick of changes to members owned by one node. */
export interface RoomChanges {
  joins: MemberFragments[];
  updates: { id: string; state: string }[];
  leaves: { id: string; reason: LeaveReason }[];
}

interface MemberEntry {
  /** The member id others see: a connection id, or a user id when presence is keyed by user. */
  id: string;
  /** `"id":…,"color":…,"user":…` made once when the member joins. */
  headJson: string;
  /** `JSON.stringify(state)`, made once when tracked and reused by every frame that carries it. */
  stateJson: string;
  /** The local connections whose `track` made this member; it leaves when the last one untracks. */
  trackers: Set<Connection>;
  /** The node that owns this member; undefined for a member of this node. */
  owner: string | undefined;
  /** Whether watchers have been told about this member (in a snapshot or a sent diff). */
  announced: boolean;
}

type Fragment = { id: string; list: 'joins' | 'updates' | 'leaves'; json: string };

/**
 * One presence room as this node sees it: its local watchers, every member (its own and those other
 * nodes own), and the changes not yet sent. Changes are coalesced until `flush` (once per tick): a
 * member's newest state wins, a join and a leave within one tick cancel out, and each frame is
 * assembled from JSON made once per change, by the member's own node.
 */
export class PresenceRoom {
  readonly watchers = new Map<string, Connection>();
  // Insertion order is join order, which is the order `others` shows.
  private readonly members = new Map<string, MemberEntry>();
  private readonly joins = new Set<string>();
  private readonly updates = new Set<string>();
  private readonly leaves = new Map<string, { reason: LeaveReason; local: boolean }>();
  /** Watchers skipped because they read too slowly: they get a snapshot once they caught up. */
  private readonly lagging = new Set<string>();

  constructor(readonly name: string, private readonly keyBy: PresenceKey = 'connection', private readonly metrics?: HubMetrics) {}

  /** Every member as watchers see it (`{"id","color","user","state"}` JSON), with its owner node (undefined: this one). */
  list(): { json: string; owner: string | undefined }[] {
    return [...this.members.values()].map((entry) => ({ json: memberJson(entry), owner: entry.owner }));
  }

  get memberCount(): number {
    return this.members.size;
  }

  get isDirty(): boolean {
    return this.joins.size + this.updates.size + this.leaves.size > 0;
  }

  /** Whether some watcher is waiting to catch up: the room needs ticks even without changes. */
  get hasLagging(): boolean {
    return this.lagging.size > 0;
  }

  /** Nothing here needs this room any more: no local watcher, no local member, nothing left to send. */
  get isIdle(): boolean {
    if (this.watchers.size > 0 || this.isDirty) return false;
    for (const entry of this.members.values()) if (entry.owner === undefined) return false;
    return true;
  }

  /** The member id of a connection in this room. Connections without a user are keyed by themselves. */
  memberId(connection: Connection): string {
    return this.keyBy === 'user' && connection.user ? connection.user.id : connection.id;
  }

  /** Adds a watcher and sends it every announced member but itself; later diffs follow in order. */
  watch(connection: Connection): void {
    this.watchers.set(connection.id, connection);
    this.sendSnapshot(connection);
  }

  private sendSnapshot(connection: Connection): void {
    const own = this.memberId(connection);
    const members: string[] = [];
    for (const [id, entry] of this.members) {
      if (entry.announced && id !== own) members.push(memberJson(entry));
    }
    connection.send(`{"type":"presence.snapshot","room":${JSON.stringify(this.name)},"members":[${members.join(',')}]}`);
  }

  unwatch(connection: Connection): void {
    this.watchers.delete(connection.id);
    this.lagging.delete(connection.id);
  }

  /** Sets the state of the connection's member; with per-user keys, the last tab to track wins. */
  track(connection: Connection, stateJson: string): void {
    const id = this.memberId(connection);
    const entry = this.members.get(id);
    if (entry) {
      entry.trackers.add(connection);
      entry.owner = undefined; // with per-user keys, the user's newest tab (here) now speaks for it
      this.setState(entry, stateJson);
      return;
    }
    const user = connection.userJson === undefined ? '' : `,"user":${connection.userJson}`;
    this.add({ id, head: `"id":${JSON.stringify(id)},"color":"${connection.color}"${user}`, state: stateJson }, undefined).trackers.add(connection);
  }

  /** Takes the connection's tracking back; its member leaves when no connection tracks it any more. */
  untrack(connection: Connection, reason: LeaveReason): void {
    const entry = this.members.get(this.memberId(connection));
    if (!entry || !entry.trackers.delete(connection) || entry.trackers.size > 0) return;
    this.remove(entry, reason);
  }

  /** Merges one tick of changes that node `owner` made to its own members. */
  applyRemote(owner: string, changes: Partial<RoomChanges>): void {
    // A sync answer repeats what we may have already: only a real change is passed on.
    for (const member of changes.joins ?? []) {
      const entry = this.members.get(member.id);
      if (!entry) this.add(member, owner);
      else if (entry.owner === owner && entry.stateJson !== member.state) this.setState(entry, member.state);
    }
    for (const { id, state } of changes.updates ?? []) {
      const entry = this.members.get(id);
      if (entry?.owner === owner && entry.stateJson !== state) this.setState(entry, state);
    }
    for (const { id, reason } of changes.leaves ?? []) {
      const entry = this.members.get(id);
      if (entry?.owner === owner) this.remove(entry, reason);
    }
  }

  /** Makes `members` the whole of what node `owner` has here: the rest of its members leave. */
  replaceOwner(owner: string, members: MemberFragments[]): void {
    const current = new Set(members.map((m) => m.id));
    for (const entry of [...this.members.values()]) {
      if (entry.owner === owner && !current.has(entry.id)) this.remove(entry, 'left');
    }
    this.applyRemote(owner, { joins: members });
  }

  /** Whether any member of this node is here (announced to watchers or not yet). */
  get hasLocalMembers(): boolean {
    for (const entry of this.members.values()) if (entry.owner === undefined) return true;
    return false;
  }

  /** Whether node `owner` has a member here. */
  hasOwner(owner: string): boolean {
    for (const entry of this.members.values()) if (entry.owner === owner) return true;
    return false;
  }

  /**
   * Forgets every member other nodes own, telling nobody: with no watcher here they are not needed, and
   * their nodes stop sending their changes, so a kept copy would go stale.
   */
  forgetRemote(): void {
    for (const entry of [...this.members.values()]) {
      if (entry.owner === undefined) continue;
      this.members.delete(entry.id);
      this.joins.delete(entry.id);
      this.updates.delete(entry.id);
    }
    for (const [id, { local }] of [...this.leaves]) if (!local) this.leaves.delete(id);
  }

  /** Removes every member a node owns, as when that node stopped answering. */
  dropOwner(owner: string, reason: LeaveReason): void {
    for (const entry of [...this.members.values()]) if (entry.owner === owner) this.remove(entry, reason);
  }

  /** This node's own members, announced ones, for a node that asks to sync. */
  localMembers(): MemberFragments[] {
    const members: MemberFragments[] = [];
    for (const entry of this.members.values()) {
      if (entry.owner === undefined && entry.announced) members.push({ id: entry.id, head: entry.headJson, state: entry.stateJson });
    }
    return members;
  }

  /**
   * Sends the coalesced changes of this tick to local watchers: one frame for every watcher that
   * changed nothing, and for each one that did, the same frame without its own entries. Returns the
   * changes to this node's own members, for the other nodes.
   */
  flush(): RoomChanges | undefined {
    if (!this.isDirty) {
      this.catchUp();
      return undefined;
    }
    const fragments: Fragment[] = [];
    const own: RoomChanges = { joins: [], updates: [], leaves: [] };
    for (const id of this.joins) {
      const entry = this.members.get(id)!;
      entry.announced = true;
      fragments.push({ id, list: 'joins', json: memberJson(entry) });
      if (entry.owner === undefined) own.joins.push({ id, head: entry.headJson, state: entry.stateJson });
    }
    for (const id of this.updates) {
      const entry = this.members.get(id)!;
      fragments.push({ id, list: 'updates', json: `{"id":${JSON.stringify(id)},"state":${entry.stateJson}}` });
      if (entry.owner === undefined) own.updates.push({ id, state: entry.stateJson });
    }
    for (const [id, { reason, local }] of this.leaves) {
      fragments.push({ id, list: 'leaves', json: `{"id":${JSON.stringify(id)},"reason":"${reason}"}` });
      if (local) own.leaves.push({ id, reason });
    }
    this.joins.clear();
    this.updates.clear();
    this.leaves.clear();

    const head = `{"type":"presence.diff","room":${JSON.stringify(this.name)}`;
    const { frame: shared, cuts } = assemble(head, fragments);
    for (const watcher of this.watchers.values()) {
      // Latest wins for a slow reader: no diff now, the newest state in one snapshot when it caught up.
      if (this.lagging.has(watcher.id) || watcher.isSlow) {
        this.lagging.add(watcher.id);
        if (this.metrics) this.metrics.presenceDropped += 1;
        continue;
      }
      // A watcher whose own member changed gets the shared frame with its entry cut out (an id is in
      // one list at most): no re-encoding, nothing at all when its entry was the only one.
      const cut = cuts.get(this.memberId(watcher));
      if (!cut) watcher.send(shared);
      else if (fragments.length > 1) watcher.send(shared.slice(0, cut[0]) + shared.slice(cut[1]));
    }
    this.catchUp();
    return own.joins.length + own.updates.length + own.leaves.length > 0 ? own : undefined;
  }

  /** Sends a snapshot to each lagging watcher that has caught up. */
  private catchUp(): void {
    for (const id of this.lagging) {
      const watcher = this.watchers.get(id);
      if (!watcher || watcher.isSlow) continue;
      this.lagging.delete(id);
      this.sendSnapshot(watcher);
    }
  }

  private add(member: MemberFragments, owner: string | undefined): MemberEntry {
    // Left and came back within one tick: the leave is never sent, so older watchers see no flicker
    // (a join of a member they know is an update to them), and one whose snapshot was taken in
    // between still learns the member in full. Watchers know it still: it stays announced.
    const announced = this.leaves.delete(member.id);
    const entry: MemberEntry = { id: member.id, headJson: member.head, stateJson: member.state, trackers: new Set(), owner, announced };
    this.members.set(member.id, entry);
    this.joins.add(member.id);
    return entry;
  }

  private setState(entry: MemberEntry, stateJson: string): void {
    if (this.metrics && (this.updates.has(entry.id) || this.joins.has(entry.id))) this.metrics.presenceCoalesced += 1;
    entry.stateJson = stateJson;
    if (entry.announced && !this.joins.has(entry.id)) this.updates.add(entry.id);
  }

  private remove(entry: MemberEntry, reason: LeaveReason): void {
    this.members.delete(entry.id);
    this.updates.delete(entry.id);
    if (this.joins.delete(entry.id) && !entry.announced) return; // never announced: nothing to take back
    this.leaves.set(entry.id, { reason, local: entry.owner === undefined });
  }
}

function memberJson(entry: MemberEntry): string {
  return `{${entry.headJson},"state":${entry.stateJson}}`;
}

/**
 * The frame of one tick, and for each member id where its entry sits in it: the span to cut out for
 * that member's own watchers (its entry and one comma, or the whole list when it is the only entry).
 * Empty lists are left out: most ticks of a busy room are updates only, and every byte goes to every
 * watcher.
 */
function assemble(head: string, fragments: Fragment[]): { frame: string; cuts: Map<string, [number, number]> } {
  const lists = { joins: [] as Fragment[], updates: [] as Fragment[], leaves: [] as Fragment[] };
  for (const f of fragments) lists[f.list].push(f);
  const cuts = new Map<string, [number, number]>();
  let frame = head;
  for (const name of ['joins', 'updates', 'leaves'] as const) {
    const list = lists[name];
    if (list.length === 0) continue;
    const listStart = frame.length;
    frame += `,"${name}":[`;
    list.forEach((f, i) => {
      if (i > 0) frame += ',';
      const start = frame.length;
      frame += f.json;
      if (list.length === 1) cuts.set(f.id, [listStart, frame.length + 1]); // the whole `,"name":[…]`
      else if (i === 0) cuts.set(f.id, [start, frame.length + 1]); // the entry and the comma after it
      else cuts.set(f.id, [start - 1, frame.length]); // the comma before it and the entry
    });
    frame += ']';
  }
  return { frame: `${frame}}`, cuts };
}
