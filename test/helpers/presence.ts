import type { RawClient } from './raw-client.js';

/** The members a raw watcher sees in a room, replayed from its snapshot and diffs in order. */
export function seenBy(client: RawClient): Map<string, unknown> {
  const members = new Map<string, unknown>();
  for (const m of client.messages) {
    if (m.type === 'presence.snapshot') for (const member of m.members) members.set(member.id, member.state);
    if (m.type !== 'presence.diff') continue;
    for (const member of m.joins ?? []) members.set(member.id, member.state);
    for (const { id, state } of m.updates ?? []) if (members.has(id)) members.set(id, state);
    for (const { id } of m.leaves ?? []) members.delete(id);
  }
  return members;
}
