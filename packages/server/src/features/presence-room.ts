import type { LeaveReason } from '@ghost/protocol';
import type { Connection } from '../connection.js';

/** Who a member is: each connection (`'connection'`), or each authenticated user across tabs (`'user'`). */
export type PresenceKey = 'connection' | 'user';

interface MemberEntry {
  /** The member id others see: a connection id, or a user id when presence is keyed by user. */
  id: string;
  /** `"id":…,"color":…,"user":…` made once when the member joins. */
  headJson: string;
  /** `JSON.stringify(state)`, made once when tracked and reused by every frame that carries it. */
  stateJson: string;
  /** The connections whose `track` made this member; it leaves when the last of them untracks. */
  trackers: Set<Connection>;
  /** Whether watchers have been told about this member (in a snapshot or a sent diff). */
  announced: boolean;
}

type Fragment = { id: string; list: 'joins' | 'updates' | 'leaves'; json: string };

/**
 * One presence room on this node: who watches it, who is a member, and the changes not yet sent.
 * Changes are coalesced until `flush` (once per tick): a member's newest state wins, a join and a
 * leave within one tick cancel out, and each frame is assembled from JSON made once per change.
 */
export class PresenceRoom {
  readonly watchers = new Map<string, Connection>();
  // Insertion order is join order, which is the order `others` shows.
  private readonly members = new Map<string, MemberEntry>();
  private readonly joins = new Set<string>();
  private readonly updates = new Set<string>();
  private readonly leaves = new Map<string, LeaveReason>();

  constructor(readonly name: string, private readonly keyBy: PresenceKey = 'connection') {}

  get memberCount(): number {
    return this.members.size;
  }

  get isDirty(): boolean {
    return this.joins.size + this.updates.size + this.leaves.size > 0;
  }

  get isEmpty(): boolean {
    return this.watchers.size === 0 && this.members.size === 0 && !this.isDirty;
  }

  /** The member id of a connection in this room. Connections without a user are keyed by themselves. */
  memberId(connection: Connection): string {
    return this.keyBy === 'user' && connection.user ? connection.user.id : connection.id;
  }

  /** Adds a watcher and sends it every announced member but itself; later diffs follow in order. */
  watch(connection: Connection): void {
    this.watchers.set(connection.id, connection);
    const own = this.memberId(connection);
    const members: string[] = [];
    for (const [id, entry] of this.members) {
      if (entry.announced && id !== own) members.push(memberJson(entry));
    }
    connection.send(`{"type":"presence.snapshot","room":${JSON.stringify(this.name)},"members":[${members.join(',')}]}`);
  }

  unwatch(connection: Connection): void {
    this.watchers.delete(connection.id);
  }

  /** Sets the state of the connection's member; with per-user keys, the last tab to track wins. */
  track(connection: Connection, stateJson: string): void {
    const id = this.memberId(connection);
    const entry = this.members.get(id);
    if (entry) {
      entry.trackers.add(connection);
      entry.stateJson = stateJson;
      if (entry.announced) this.updates.add(id);
      return;
    }
    // Left and came back within one tick: the leave is never sent, so older watchers see no flicker
    // (a join of a member they know is an update to them), and one whose snapshot was taken in
    // between still learns the member in full. Watchers know it still: it stays announced.
    const announced = this.leaves.delete(id);
    const user = connection.userJson === undefined ? '' : `,"user":${connection.userJson}`;
    const headJson = `"id":${JSON.stringify(id)},"color":"${connection.color}"${user}`;
    this.members.set(id, { id, headJson, stateJson, trackers: new Set([connection]), announced });
    this.joins.add(id);
  }

  /** Takes the connection's tracking back; its member leaves when no connection tracks it any more. */
  untrack(connection: Connection, reason: LeaveReason): void {
    const id = this.memberId(connection);
    const entry = this.members.get(id);
    if (!entry || !entry.trackers.delete(connection) || entry.trackers.size > 0) return;
    this.members.delete(id);
    this.updates.delete(id);
    if (this.joins.delete(id) && !entry.announced) return; // never announced: nothing to take back
    this.leaves.set(id, reason);
  }

  /** Sends the coalesced changes of this tick: one frame for every watcher that changed nothing, and
   * for each one that did, the same frame without its own entries. */
  flush(): void {
    if (!this.isDirty) return;
    const fragments: Fragment[] = [];
    for (const id of this.joins) {
      const entry = this.members.get(id)!;
      entry.announced = true;
      fragments.push({ id, list: 'joins', json: memberJson(entry) });
    }
    for (const id of this.updates) {
      const entry = this.members.get(id)!;
      fragments.push({ id, list: 'updates', json: `{"id":${JSON.stringify(id)},"state":${entry.stateJson}}` });
    }
    for (const [id, reason] of this.leaves) {
      fragments.push({ id, list: 'leaves', json: `{"id":${JSON.stringify(id)},"reason":"${reason}"}` });
    }
    this.joins.clear();
    this.updates.clear();
    this.leaves.clear();

    const head = `{"type":"presence.diff","room":${JSON.stringify(this.name)}`;
    const shared = assemble(head, fragments);
    const changed = new Set(fragments.map((f) => f.id));
    for (const watcher of this.watchers.values()) {
      const own = this.memberId(watcher);
      if (!changed.has(own)) {
        watcher.send(shared);
        continue;
      }
      const rest = fragments.filter((f) => f.id !== own);
      if (rest.length > 0) watcher.send(assemble(head, rest));
    }
  }
}

function memberJson(entry: MemberEntry): string {
  return `{${entry.headJson},"state":${entry.stateJson}}`;
}

// Empty lists are left out: most ticks of a busy room are updates only, and every byte goes to every watcher.
function assemble(head: string, fragments: Fragment[]): string {
  const lists = { joins: [] as string[], updates: [] as string[], leaves: [] as string[] };
  for (const f of fragments) lists[f.list].push(f.json);
  let frame = head;
  for (const name of ['joins', 'updates', 'leaves'] as const) {
    if (lists[name].length > 0) frame += `,"${name}":[${lists[name].join(',')}]`;
  }
  return `${frame}}`;
}
