// A presence room and the tick batcher on their own: plain values, no sockets. The room is state only
// (what each tick takes out of it); the batcher turns that into the frames each watcher gets.
import { describe, expect, it, onTestFinished } from 'vitest';
import { decodeServerMessage } from '@ghost/protocol';
import { PresenceBatcher } from '../src/features/presence-batcher.js';
import { PresenceRoom, type Participant, type PresenceRoomOptions, type RoomChanges } from '../src/features/presence-room.js';

const state = (n: number) => JSON.stringify({ x: n });

function participant(id: string, user?: { id: string }): Participant {
  return { id, color: `hsl(${id.length} 75% 45%)`, user, userJson: user && JSON.stringify(user) };
}

/**
 * A watcher that keeps the frames it is sent, decoded (and as sent, in `raw`); `isSlow` is set by the
 * test. A version-1 client by default, to which the hub never sends its own entries.
 */
function watcher(id: string, user?: { id: string }, protocol = 1) {
  const frames: unknown[] = [];
  const raw: string[] = [];
  return {
    ...participant(id, user),
    isSlow: false,
    protocol,
    frames,
    raw,
    send(frame: string) {
      const decoded = decodeServerMessage(frame);
      if (!decoded.ok) throw new Error(`invalid frame: ${decoded.error}`);
      frames.push(decoded.message);
      raw.push(frame);
      return true;
    },
  };
}

type Watcher = ReturnType<typeof watcher>;

/** A room wired to a batcher as the hub wires them; `flush` runs one tick and returns the room's own changes. */
function batched(options: PresenceRoomOptions<Watcher> = {}) {
  let own: RoomChanges | undefined;
  const metrics = { presenceDropped: 0, presenceCoalesced: 0 };
  const batcher = new PresenceBatcher<Watcher>({ tickMs: 60_000, metrics: metrics as never }, (_room, changes) => void (own = changes));
  onTestFinished(() => batcher.close());
  const room = new PresenceRoom<Watcher>('lobby', { ...options, changed: batcher.mark });
  return {
    room,
    metrics,
    watch(w: Watcher) {
      room.watch(w);
      batcher.snapshot(room, w);
    },
    flush(): RoomChanges | undefined {
      own = undefined;
      batcher.flush();
      return own;
    },
  };
}

describe('PresenceRoom', () => {
  it('takes a tick for its watchers only while no other node listens, and the members it took count as published', () => {
    const room = new PresenceRoom('lobby');
    const ada = participant('ada');
    room.track(ada, state(1));
    expect(room.take(false)).toEqual({ entries: [{ id: 'ada', list: 'joins', json: expect.stringContaining('"x":1') }], own: undefined });
    // A node that starts to listen syncs from the published shares, and later hears ada leave.
    expect(room.localMembers().map((m) => m.id)).toEqual(['ada']);
    room.untrack(ada, 'left');
    expect(room.take().own).toEqual({ joins: [], updates: [], leaves: [{ id: 'ada', reason: 'left' }] });
  });

  it('takes a tick as JSON entries: newest state per member, joins before updates before leaves, and says when it changed', () => {
    let changed = 0;
    const room = new PresenceRoom('lobby', { changed: () => void (changed += 1) });
    const [a, b, c] = ['a', 'b', 'c'].map((id) => participant(id));
    room.track(a!, state(1));
    room.track(c!, state(0));
    expect(room.take().entries.map((e) => [e.list, e.id])).toEqual([['joins', 'a'], ['joins', 'c']]);
    room.track(a!, state(2));
    room.track(a!, state(3));
    room.track(b!, state(9));
    room.untrack(c!, 'left');
    expect(changed).toBe(6);
    const { entries, own } = room.take();
    expect(entries).toEqual([
      { id: 'b', list: 'joins', json: '{"id":"b","color":"hsl(1 75% 45%)","state":{"x":9}}' },
      { id: 'a', list: 'updates', json: '{"id":"a","state":{"x":3}}' },
      { id: 'c', list: 'leaves', json: '{"id":"c","reason":"left"}' },
    ]);
    expect(own).toEqual({
      joins: [{ id: 'b', head: '"id":"b","color":"hsl(1 75% 45%)"', state: state(9), at: expect.any(Number) }],
      updates: [{ id: 'a', state: state(3), at: expect.any(Number) }],
      leaves: [{ id: 'c', reason: 'left' }],
    });
    expect(room.take()).toEqual({ entries: [], own: undefined });
  });

  it('keeps watchers as given, and lists for a snapshot the announced members but the asker, in join order', () => {
    const room = new PresenceRoom('lobby');
    const [a, b, c] = ['a', 'b', 'c'].map((id) => participant(id));
    room.watch(a!);
    room.track(a!, state(1));
    room.track(b!, state(2));
    room.take();
    room.track(c!, state(3)); // not yet announced
    expect(room.watchers.get('a')).toBe(a);
    expect(room.snapshot('a')).toEqual(['{"id":"b","color":"hsl(1 75% 45%)","state":{"x":2}}']);
    expect(room.snapshot('nobody').map((m) => JSON.parse(m).id)).toEqual(['a', 'b']);
    room.unwatch(a!);
    expect([room.watchers.size, room.isIdle]).toEqual([0, false]); // c's join is still to take
  });

  it("keyed by user, a member held by several nodes shows the newest share and leaves with the last; the other nodes hear of this node's share only", () => {
    const room = new PresenceRoom('lobby', { keyBy: 'user', node: 'node-a' });
    const tab = participant('t1', { id: 'ada' });
    const head = '"id":"ada","color":"hsl(1 75% 45%)","user":{"id":"ada"}';
    const shown = () => room.take().entries.map((e) => [e.list, JSON.parse(e.json)]);
    room.applyRemote('node-b', { joins: [{ id: 'ada', head, state: state(1), at: 1 }] });
    room.applyRemote('node-c', { joins: [{ id: 'ada', head, state: state(2), at: 2 }] });
    expect(room.take()).toMatchObject({ entries: [{ list: 'joins', json: expect.stringContaining('"x":2') }], own: undefined });

    room.track(tab, state(3));
    const tick = room.take();
    expect(tick.own).toEqual({ joins: [{ id: 'ada', head: expect.stringContaining('"ada"'), state: state(3), at: expect.any(Number) }], updates: [], leaves: [] });
    expect(tick.entries).toEqual([{ id: 'ada', list: 'updates', json: '{"id":"ada","state":{"x":3}}' }]);
    // Our share ends: the others hear of it, watchers here see the newest share left, not a leave.
    room.untrack(tab, 'left');
    expect(room.take()).toEqual({ entries: [{ id: 'ada', list: 'updates', json: '{"id":"ada","state":{"x":2}}' }], own: { joins: [], updates: [], leaves: [{ id: 'ada', reason: 'left' }] } });
    room.dropOwner('node-c', 'node-down');
    expect(shown()).toEqual([['updates', { id: 'ada', state: { x: 1 } }]]);
    room.replaceOwner('node-b', []);
    expect(shown()).toEqual([['leaves', { id: 'ada', reason: 'left' }]]);
  });

  it('keyed by user, two shares tracked in the same millisecond: every node shows the one of the greater node id', () => {
    const head = '"id":"ada","color":"hsl(1 75% 45%)"';
    const shown = (arrival: string[]) => {
      const room = new PresenceRoom('lobby', { keyBy: 'user', node: 'node-a' });
      for (const node of arrival) room.applyRemote(node, { joins: [{ id: 'ada', head, state: JSON.stringify(node), at: 5 }] });
      room.take();
      return room.list()[0];
    };
    expect(shown(['node-b', 'node-c'])).toEqual({ json: expect.stringContaining('"state":"node-c"'), owner: 'node-c' });
    expect(shown(['node-c', 'node-b'])).toEqual({ json: expect.stringContaining('"state":"node-c"'), owner: 'node-c' });
  });

  it("forgets other nodes' members without a word, keeps its own, and tells who has members here", () => {
    const room = new PresenceRoom('lobby');
    const own = participant('own');
    room.watch(own);
    room.track(own, state(1));
    room.applyRemote('node-b', { joins: [{ id: 'far', head: '"id":"far","color":"hsl(1 75% 45%)"', state: state(2) }] });
    room.take();
    room.applyRemote('node-b', { leaves: [{ id: 'far', reason: 'left' }], joins: [{ id: 'far2', head: '"id":"far2","color":"hsl(1 75% 45%)"', state: state(3) }] });
    expect([room.hasLocalMembers, room.hasOwner('node-b'), room.hasOwner('node-c')]).toEqual([true, true, false]);

    room.unwatch(own);
    room.forgetRemote();
    expect([room.memberCount, room.hasOwner('node-b')]).toEqual([1, false]);
    // A watcher arriving now sees our member only, and no leave or join of the forgotten ones follows.
    expect(room.snapshot('late').map((m) => JSON.parse(m).id)).toEqual(['own']);
    expect(room.take()).toEqual({ entries: [], own: undefined });
  });
});

describe('PresenceBatcher', () => {
  it('sends nothing on a tick without changes', () => {
    const { watch, flush } = batched();
    const w = watcher('w');
    watch(w);
    flush();
    flush();
    expect(w.frames).toEqual([{ type: 'presence.snapshot', room: 'lobby', members: [] }]);
  });

  it('merges a tick into one frame: newest state per member, joins before updates before leaves', () => {
    const { room, watch, flush } = batched();
    const [w, a, b, c] = ['w', 'a', 'b', 'c'].map((id) => watcher(id));
    watch(w!);
    room.track(a!, state(1));
    room.track(c!, state(0));
    flush();
    room.track(a!, state(2));
    room.track(a!, state(3));
    room.track(b!, state(9));
    room.untrack(c!, 'left');
    flush();
    expect(w!.frames.slice(2)).toEqual([
      { type: 'presence.diff', room: 'lobby', joins: [{ id: 'b', color: 'hsl(1 75% 45%)', state: { x: 9 } }], updates: [{ id: 'a', state: { x: 3 } }], leaves: [{ id: 'c', reason: 'left' }] },
    ]);
  });

  it('gives every version-2 watcher the one shared frame, its own entries included', () => {
    const { room, watch, flush } = batched();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => watcher(id, undefined, 2));
    for (const w of [a!, b!, c!]) watch(w);
    room.track(a!, state(1));
    flush();
    expect(a!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: 'a', color: 'hsl(1 75% 45%)', state: { x: 1 } }] });
    for (const [i, w] of [a!, b!].entries()) room.track(w, state(i + 2));
    flush();
    expect(a!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: 'b', color: 'hsl(1 75% 45%)', state: { x: 3 } }], updates: [{ id: 'a', state: { x: 2 } }] });
    // Not equal strings but the same one: encoded to UTF-8 once for the whole room.
    expect(b!.raw.at(-1)).toBe(a!.raw.at(-1));
    expect(c!.raw.at(-1)).toBe(a!.raw.at(-1));
  });

  it('in a room of both versions, cuts only the version-1 watchers\' own entries', () => {
    const { room, watch, flush } = batched();
    const old = watcher('o');
    const [a, b] = ['a', 'b'].map((id) => watcher(id, undefined, 2));
    for (const w of [old, a!, b!]) watch(w);
    for (const w of [old, a!, b!]) room.track(w, state(0));
    flush();
    for (const [i, w] of [old, a!].entries()) room.track(w, state(i + 1));
    flush();
    expect(old.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 2 } }] });
    expect(a!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'o', state: { x: 1 } }, { id: 'a', state: { x: 2 } }] });
    expect(b!.raw.at(-1)).toBe(a!.raw.at(-1));
  });

  it('gives a version-1 member that changed the same frame without its own entries, and nothing if only it changed', () => {
    const { room, watch, flush } = batched();
    const a = watcher('a');
    const b = watcher('b');
    watch(a);
    watch(b);
    room.track(a, state(1));
    flush();
    expect(a.frames).toHaveLength(1); // snapshot only
    expect(b.frames).toHaveLength(2);
    room.track(a, state(2));
    room.track(b, state(5));
    flush();
    expect(a.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: 'b', color: 'hsl(1 75% 45%)', state: { x: 5 } }] });
    expect(b.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 2 } }] });
  });

  it("cuts exactly a version-1 member's own entry out of a longer list, first, middle or last", () => {
    const { room, watch, flush } = batched();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => watcher(id));
    for (const w of [a!, b!, c!]) watch(w);
    for (const w of [a!, b!, c!]) room.track(w, state(0));
    flush();
    for (const [i, w] of [a!, b!, c!].entries()) room.track(w, state(i + 1));
    flush();
    expect(a!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'b', state: { x: 2 } }, { id: 'c', state: { x: 3 } }] });
    expect(b!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 1 } }, { id: 'c', state: { x: 3 } }] });
    expect(c!.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 1 } }, { id: 'b', state: { x: 2 } }] });
  });

  it('cancels a join and a leave in one tick, and turns a leave then a re-track into a join without a leave', () => {
    const { room, watch, flush } = batched();
    const w = watcher('w');
    const a = watcher('a');
    watch(w);
    room.track(a, state(1));
    room.untrack(a, 'left');
    flush();
    expect(w.frames).toHaveLength(1);

    room.track(a, state(1));
    flush();
    room.untrack(a, 'disconnected');
    room.track(a, state(2));
    flush();
    expect(w.frames.at(-1)).toMatchObject({ joins: [{ id: 'a', state: { x: 2 } }] });
    expect(w.frames.at(-1)).not.toHaveProperty('leaves');

    // ... and one more leave in the same tick as such a re-track is still sent: watchers know it.
    room.untrack(a, 'left');
    room.track(a, state(3));
    room.untrack(a, 'timeout');
    flush();
    expect(w.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', leaves: [{ id: 'a', reason: 'timeout' }] });
  });

  it('snapshots only announced members, in join order; the pending ones follow in the next diff', () => {
    const { room, watch, flush } = batched();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => watcher(id));
    room.track(a!, state(1));
    room.track(b!, state(2));
    flush();
    room.track(c!, state(3)); // not yet announced
    const newcomer = watcher('n');
    watch(newcomer);
    expect(newcomer.frames[0]).toMatchObject({ members: [{ id: 'a' }, { id: 'b' }] });
    flush();
    expect(newcomer.frames[1]).toMatchObject({ joins: [{ id: 'c' }] });
  });

  it("keyed by user, two tabs are one member: the last track wins, it leaves with the last tab, and a user's own version-1 tabs never see it", () => {
    const { room, watch, flush } = batched({ keyBy: 'user' });
    const tab1 = watcher('t1', { id: 'ada' });
    const tab2 = watcher('t2', { id: 'ada' });
    const bob = watcher('b1', { id: 'bob' });
    for (const w of [tab1, tab2, bob]) watch(w);
    room.track(tab1, state(1));
    room.track(tab2, state(2));
    flush();
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: 'ada', color: 'hsl(2 75% 45%)', user: { id: 'ada' }, state: { x: 2 } }] });
    expect(room.memberCount).toBe(1);
    room.untrack(tab1, 'left');
    flush();
    expect(bob.frames).toHaveLength(2); // still a member through tab 2
    room.untrack(tab2, 'disconnected');
    flush();
    expect(bob.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', leaves: [{ id: 'ada', reason: 'disconnected' }] });
    expect(tab1.frames).toHaveLength(1);
    expect(tab2.frames).toHaveLength(1);
  });

  it('hands each tick the changes to this node\'s own shares, for the other nodes', () => {
    const { room, flush } = batched({ node: 'node-a' });
    room.applyRemote('node-b', { joins: [{ id: 'far', head: '"id":"far","color":"hsl(1 75% 45%)"', state: state(1) }] });
    expect(flush()).toBeUndefined();
    room.track(watcher('a'), state(2));
    expect(flush()).toMatchObject({ joins: [{ id: 'a', state: state(2) }], updates: [], leaves: [] });
  });

  it('skips a slow reader, then sends it one snapshot of the newest states once it has caught up', () => {
    const { room, metrics, watch, flush } = batched();
    const slow = watcher('slow');
    const a = watcher('a');
    watch(slow);
    room.track(a, state(1));
    flush();
    slow.isSlow = true;
    room.track(a, state(2));
    flush();
    room.track(a, state(3));
    flush();
    flush(); // still slow: nothing, not even without changes
    expect(slow.frames).toHaveLength(2);
    expect(metrics.presenceDropped).toBe(2);
    slow.isSlow = false;
    flush(); // a tick with no change still catches it up
    expect(slow.frames.at(-1)).toEqual({ type: 'presence.snapshot', room: 'lobby', members: [{ id: 'a', color: 'hsl(1 75% 45%)', state: { x: 3 } }] });
    room.track(a, state(4));
    flush();
    expect(slow.frames.at(-1)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: 'a', state: { x: 4 } }] });
    expect(slow.frames).toHaveLength(4);
  });
});
