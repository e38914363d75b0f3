// The tick batcher on its own: no sockets, just the frames a room would send each watcher.
import { describe, expect, it } from 'vitest';
import { decodeServerMessage } from '@ghost/protocol';
import type { Connection } from '../src/connection.js';
import { PresenceRoom } from '../src/features/presence-room.js';

function watcher(id: string, user?: { id: string }) {
  const frames: unknown[] = [];
  const connection = {
    id,
    color: `hsl(${id.length} 75% 45%)`,
    user,
    userJson: user && JSON.stringify(user),
    send(frame: string) {
      const decoded = decodeServerMessage(frame);
      if (!decoded.ok) throw new Error(`invalid frame: ${decoded.error}`);
      frames.push(decoded.message);
      return true;
    },
  };
  return { connection: connection as unknown as Connection, frames };
}

const state = (n: number) => JSON.stringify({ x: n });

describe('PresenceRoom', () => {
  it('sends nothing on a tick without changes', () => {
    const room = new PresenceRoom('lobby');
    const w = watcher('w');
    room.watch(w.connection);
    room.flush();
    room.flush();
    expect(w.frames).toEqual([{ type: 'presence.snapshot', room: 'lobby', members: [] }]);
  });

  it('merges a tick into one frame: newest state per member, joins before updates before leaves', () => {
    const room = new PresenceRoom('lobby');
    const [w, a, b, c] = ['w', 'a', 'b', 'c'].map((id) => watcher(id));
    room.watch(w!.connection);
    room.track(a!.connection, state(1));
    room.track(c!.connection, state(0));
    room.flush();
    room.track(a!.connection, state(2));
    room.track(a!.connection, state(3));
    room.track(b!.connection, state(9));
    room.untrack(c!.connection, 'left');
    room.flush();
    expect(w!.frames.slice(2)).toEqual([
      { type: 'presence.diff', room: 'lobby', joins: [{ id: 'b', color: 'hsl(1 75% 45%)', state: { x: 9 } }], updates: [{ id: 'a', state: { x: 3 } }], leaves: [{ id: 'c', reason: 'left' }] },
    ]);
  });

  it('gives a member that changed the same frame without its own entries, and nothing if only it changed', () => {
    const room = new PresenceRoom('lobby');
    const a = watcher('a');
    const b = watcher('b');
    room.watch(a.connection);
    room.watch(b.connection);
    room.track(a.connection, state(1));
    room.flush();
    expect(a.frames).toHaveLength(1); // snapshot only
    expect(b.frames).toHaveLength(2);
    room.track(a.connection, state(2));
    room.track(b.connection, state(5));
    room.flush();
    expect(a.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: 'b', color: 'hsl(1 75% 45%)', state: { x: 5 } }] });
    expect(b.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 2 } }] });
  });

  it('cuts exactly its own entry out of a longer list, first, middle or last', () => {
    const room = new PresenceRoom('lobby');
    const [a, b, c] = ['a', 'b', 'c'].map((id) => watcher(id));
    for (const w of [a!, b!, c!]) room.watch(w.connection);
    for (const w of [a!, b!, c!]) room.track(w.connection, state(0));
    room.flush();
    for (const [i, w] of [a!, b!, c!].entries()) room.track(w.connection, state(i + 1));
    room.flush();
    expect(a!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'b', state: { x: 2 } }, { id: 'c', state: { x: 3 } }] });
    expect(b!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 1 } }, { id: 'c', state: { x: 3 } }] });
    expect(c!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 1 } }, { id: 'b', state: { x: 2 } }] });
  });

  it('cancels a join and a leave in one tick, and turns a leave then a re-track into a join without a leave', () => {
    const room = new PresenceRoom('lobby');
    const w = watcher('w');
    const a = watcher('a');
    room.watch(w.connection);
    room.track(a.connection, state(1));
    room.untrack(a.connection, 'left');
    room.flush();
    expect(w.frames).toHaveLength(1);

    room.track(a.connection, state(1));
    room.flush();
    room.untrack(a.connection, 'disconnected');
    room.track(a.connection, state(2));
    room.flush();
    expect(w.frames.at(-1)).toMatchObject({ joins: [{ id: 'a', state: { x: 2 } }] });
    expect(w.frames.at(-1)).not.toHaveProperty('leaves');

    // ... and one more leave in the same tick as such a re-track is still sent: watchers know it.
    room.untrack(a.connection, 'left');
    room.track(a.connection, state(3));
    room.untrack(a.connection, 'timeout');
    room.flush();
    expect(w.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', leaves: [{ id: 'a', reason: 'timeout' }] });
  });

  it('snapshots only announced members, in join order', () => {
    const room = new PresenceRoom('lobby');
    const [a, b, c] = ['a', 'b', 'c'].map((id) => watcher(id));
    room.track(a!.connection, state(1));
    room.track(b!.connection, state(2));
    room.flush();
    room.track(c!.connection, state(3)); // not yet announced
    const newcomer = watcher('n');
    room.watch(newcomer.connection);
    expect(newcomer.frames[0]).toMatchObject({ members: [{ id: 'a' }, { id: 'b' }] });
    room.flush();
    expect(newcomer.frames[1]).toMatchObject({ joins: [{ id: 'c' }] });
  });

  it("keyed by user, two tabs are one member: the last track wins, it leaves with the last tab, and a user's own tabs never see it", () => {
    const room = new PresenceRoom('lobby', 'user');
    const tab1 = watcher('t1', { id: 'ada' });
    const tab2 = watcher('t2', { id: 'ada' });
    const bob = watcher('b1', { id: 'bob' });
    for (const w of [tab1, tab2, bob]) room.watch(w.connection);
    room.track(tab1.connection, state(1));
    room.track(tab2.connection, state(2));
    room.flush();
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: 'ada', color: 'hsl(2 75% 45%)', user: { id: 'ada' }, state: { x: 2 } }] });
    expect(room.memberCount).toBe(1);
    room.untrack(tab1.connection, 'left');
    room.flush();
    expect(bob.frames).toHaveLength(2); // still a member through tab 2
    room.untrack(tab2.connection, 'disconnected');
    room.flush();
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', leaves: [{ id: 'ada', reason: 'disconnected' }] });
    expect(tab1.frames).toHaveLength(1);
    expect(tab2.frames).toHaveLength(1);
  });

  it("keyed by user, a member held by several nodes shows the newest share and leaves with the last; the bus hears of this node's share only", () => {
    const room = new PresenceRoom('lobby', 'user', undefined, 'node-a');
    const tab = watcher('t1', { id: 'ada' });
    const bob = watcher('b1', { id: 'bob' });
    room.watch(bob.connection);
    const head = '"id":"ada","color":"hsl(1 75% 45%)","user":{"id":"ada"}';
    room.applyRemote('node-b', { joins: [{ id: 'ada', head, state: state(1), at: 1 }] });
    room.applyRemote('node-c', { joins: [{ id: 'ada', head, state: state(2), at: 2 }] });
    expect(room.flush()).toBeUndefined(); // nothing of ours to publish
    expect(bob.frames.at(-1)).toMatchObject({ joins: [{ id: 'ada', state: { x: 2 } }] });

    room.track(tab.connection, state(3));
    expect(room.flush()).toEqual({ joins: [{ id: 'ada', head: expect.stringContaining('"ada"'), state: state(3), at: expect.any(Number) }], updates: [], leaves: [] });
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'ada', state: { x: 3 } }] });
    // Our share ends: the others hear of it, watchers here see the newest share left, not a leave.
    room.untrack(tab.connection, 'left');
    expect(room.flush()).toEqual({ joins: [], updates: [], leaves: [{ id: 'ada', reason: 'left' }] });
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'ada', state: { x: 2 } }] });
    room.dropOwner('node-c', 'node-down');
    room.flush();
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'ada', state: { x: 1 } }] });
    room.replaceOwner('node-b', []);
    room.flush();
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', leaves: [{ id: 'ada', reason: 'left' }] });
    expect(bob.frames.filter((f) => (f as { leaves?: unknown }).leaves)).toHaveLength(1);
  });

  it('keyed by user, two shares tracked in the same millisecond: every node shows the one of the greater node id', () => {
    const head = '"id":"ada","color":"hsl(1 75% 45%)"';
    const shown = (arrival: string[]) => {
      const room = new PresenceRoom('lobby', 'user', undefined, 'node-a');
      const bob = watcher('b1', { id: 'bob' });
      room.watch(bob.connection);
      for (const node of arrival) room.applyRemote(node, { joins: [{ id: 'ada', head, state: JSON.stringify(node), at: 5 }] });
      room.flush();
      return room.list()[0];
    };
    expect(shown(['node-b', 'node-c'])).toEqual({ json: expect.stringContaining('"state":"node-c"'), owner: 'node-c' });
    expect(shown(['node-c', 'node-b'])).toEqual({ json: expect.stringContaining('"state":"node-c"'), owner: 'node-c' });
  });

  it('forgets other nodes\' members without a word, keeps its own, and tells who has members here', () => {
    const room = new PresenceRoom('lobby');
    const own = watcher('own');
    room.watch(own.connection);
    room.track(own.connection, state(1));
    room.applyRemote('node-b', { joins: [{ id: 'far', head: '"id":"far","color":"hsl(1 75% 45%)"', state: state(2) }] });
    room.flush();
    room.applyRemote('node-b', { leaves: [{ id: 'far', reason: 'left' }], joins: [{ id: 'far2', head: '"id":"far2","color":"hsl(1 75% 45%)"', state: state(3) }] });
    expect([room.hasLocalMembers, room.hasOwner('node-b'), room.hasOwner('node-c')]).toEqual([true, true, false]);

    room.unwatch(own.connection);
    room.forgetRemote();
    expect([room.memberCount, room.hasOwner('node-b')]).toEqual([1, false]);
    // A watcher arriving now sees our member only, and no leave or join of the forgotten ones follows.
    const late = watcher('late');
    room.watch(late.connection);
    expect(room.flush()).toBeUndefined();
    expect(late.frames).toEqual([{ type: 'presence.snapshot', room: 'lobby', members: [expect.objectContaining({ id: 'own' })] }]);
  });
});
