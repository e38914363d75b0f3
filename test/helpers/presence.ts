import type { RawClient } from './raw-client.js';

/**
 * The members a raw watcher sees, replayed from its snapshots and diffs in order: in `room`, or in
 * every room it watches when none is named (tests that watch a single room).
 */
export function seenBy(client: RawClient, room?: string): Map<string, unknown> {
  const members = new Map<string, unknown>();
  for (const m of client.messages) {
    if (room !== undefined && 'room' in m && m.room !== room) continue;
    if (m.type === 'presence.snapshot') for (const member of m.members) members.set(member.id, member.state);
    if (m.type !== 'presence.diff') continue;
    for (const member of m.joins ?? []) members.set(member.id, member.state);
    for (const { id, state } of m.updates ?? []) if (members.has(id)) members.set(id, state);
    for (const { id } of m.leaves ?? []) members.delete(id);
  }
  return members;
}
