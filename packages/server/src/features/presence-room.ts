import type { LeaveReason } from '@ghost/protocol';
import type { Connection } from '../connection.js';

interface MemberEntry {
  connection: Connection;
  /** `JSON.stringify(state)`, made once when tracked and reused by every frame that carries it. */
  stateJson: string;
  /** Whether watchers have been told about this member (in a snapshot or a sent diff). */
  announced: boolean;
}

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

  constructor(readonly name: string) {}

  get memberCount(): number {
    return this.members.size;
  }

  get isDirty(): boolean {
    return this.joins.size + this.updates.size + this.leaves.size > 0;
  }

  get isEmpty(): boolean {
    return this.watchers.size === 0 && this.members.size === 0 && !this.isDirty;
  }

  /** Adds a watcher and sends it every announced member but itself; later diffs follow in order. */
  watch(connection: Connection): void {
    this.watchers.set(connection.id, connection);
    const members: string[] = [];
    for (const [id, entry] of this.members) {
      if (entry.announced && id !== connection.id) members.push(memberJson(entry));
    }
    connection.send(`{"type":"presence.snapshot","room":${JSON.stringify(this.name)},"members":[${members.join(',')}]}`);
  }

  unwatch(connection: Connection): void {
    this.watchers.delete(connection.id);
  }

  track(connection: Connection, stateJson: string): void {
    const id = connection.id;
    const entry = this.members.get(id);
    if (entry) {
      entry.stateJson = stateJson;
      if (entry.announced) this.updates.add(id);
      return;
    }
    // Left and came back within one tick: the leave is never sent, so older watchers see no flicker
    // (a join of a member they know is an update to them), and one whose snapshot was taken in
    // between still learns the member in full.
    this.leaves.delete(id);
    this.members.set(id, { connection, stateJson, announced: false });
    this.joins.add(id);
  }

  untrack(connection: Connection, reason: LeaveReason): void {
    const id = connection.id;
    const entry = this.members.get(id);
    if (!entry) return;
    this.members.delete(id);
    this.updates.delete(id);
    if (this.joins.delete(id)) return; // never announced: nothing to take back
    this.leaves.set(id, reason);
  }

  /** Sends the coalesced changes of this tick: one frame for every watcher that changed nothing, and
   * for each one that did, the same frame without its own entries. */
  flush(): void {
    if (!this.isDirty) return;
    const fragments: { id: string; list: 'joins' | 'updates' | 'leaves'; json: string }[] = [];
    for (const id of this.joins) {
      const entry = this.members.get(id)!;
      entry.announced = true;
      fragments.push({ id, list: 'joins', json: memberJson(entry) });
    }
    for (const id of this.updates) {
      fragments.push({ id, list: 'updates', json: `{"id":"${id}","state":${this.members.get(id)!.stateJson}}` });
    }
    for (const [id, reason] of this.leaves) {
      fragments.push({ id, list: 'leaves', json: `{"id":"${id}","reason":"${reason}"}` });
    }
    this.joins.clear();
    this.updates.clear();
    this.leaves.clear();

    const head = `{"type":"presence.diff","room":${JSON.stringify(this.name)}`;
    const shared = assemble(head, fragments);
    const changed = new Set(fragments.map((f) => f.id));
    for (const [id, watcher] of this.watchers) {
      if (!changed.has(id)) {
        watcher.send(shared);
        continue;
      }
      const rest = fragments.filter((f) => f.id !== id);
      if (rest.length > 0) watcher.send(assemble(head, rest));
    }
  }
}

function memberJson(entry: MemberEntry): string {
  const { connection } = entry;
  const user = connection.userJson === undefined ? '' : `,"user":${connection.userJson}`;
  return `{"id":"${connection.id}","color":"${connection.color}"${user},"state":${entry.stateJson}}`;
}

// Empty lists are left out: most ticks of a busy room are updates only, and every byte goes to every watcher.
function assemble(head: string, fragments: { list: 'joins' | 'updates' | 'leaves'; json: string }[]): string {
  const lists = { joins: [] as string[], updates: [] as string[], leaves: [] as string[] };
  for (const f of fragments) lists[f.list].push(f.json);
  let frame = head;
  for (const name of ['joins', 'updates', 'leaves'] as const) {
    if (lists[name].length > 0) frame += `,"${name}":[${lists[name].join(',')}]`;
  }
  return `${frame}}`;
}
