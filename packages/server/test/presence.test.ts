import { describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { seenBy } from '../../../test/helpers/presence.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { quietFor, waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

const connect = RawClient.welcomed;

/** A connection watching 'lobby', its snapshot received. */
async function watcher(url: string, query = '') {
  const b = await connect(url, query);
  b.client.send({ type: 'presence.join', room: 'lobby' });
  await b.client.next('presence.snapshot');
  return b;
}

/** `a` tracks state 1 in 'lobby'; `b` watches and has received a's join. */
async function memberAndWatcher(url: string) {
  const a = await connect(url);
  const b = await watcher(url);
  a.client.send({ type: 'presence.track', room: 'lobby', state: 1 });
  await b.client.next('presence.diff');
  return { a, b };
}

describe('presence', () => {
  it('sends a newcomer a snapshot of the members, then diffs; never your own state to a version-1 client', async () => {
    running = await startHub({ tickMs: 20 });
    // Watching from the start: its diff says the tick has announced a (a snapshot lists a only from then).
    const early = await watcher(running.url);
    const a = await connect(running.url, '?v=1');
    a.client.send({ type: 'presence.track', room: 'lobby', state: { x: 1, y: 1 } });
    expect(await a.client.next('presence.snapshot')).toMatchObject({ room: 'lobby', members: [] });
    expect(await early.client.next('presence.diff')).toMatchObject({ joins: [{ id: a.id }] });
    expect(running.hub.stats().members).toBe(1);

    const b = await connect(running.url);
    b.client.send({ type: 'presence.join', room: 'lobby' });
    const snapshot = await b.client.next('presence.snapshot');
    expect(snapshot.members).toEqual([{ id: a.id, color: a.color, state: { x: 1, y: 1 } }]);

    a.client.send({ type: 'presence.track', room: 'lobby', state: { x: 2, y: 2 } });
    const diff = await b.client.next('presence.diff');
    expect(diff).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: a.id, state: { x: 2, y: 2 } }] });
    // a's own moves never come back to a: b's join goes out in a later tick than a's move, so a frame
    // of a's own would have come before it.
    b.client.send({ type: 'presence.track', room: 'lobby', state: 'b' });
    expect(await a.client.next('presence.diff')).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: b.id, color: b.color, state: 'b' }] });
    expect(a.client.ofType('presence.diff')).toHaveLength(1);
  });

  it('sends a version-2 room one frame, the same bytes to every watcher, its own entries included', async () => {
    running = await startHub({ tickMs: 20 });
    const a = await connect(running.url, '?v=2');
    const b = await connect(running.url, '?v=2');
    const c = await watcher(running.url, '?v=2');
    expect([a.v, b.v, c.v]).toEqual([2, 2, 2]);
    a.client.send({ type: 'presence.track', room: 'lobby', state: 'a' });
    b.client.send({ type: 'presence.track', room: 'lobby', state: 'b' });
    // Both joins may share a tick or take two: wait until each client has seen both.
    const joined = (client: RawClient) => client.ofType('presence.diff').flatMap((d) => d.joins ?? []).map((m) => m.id);
    for (const { client } of [a, b, c]) await waitFor(() => joined(client).length === 2 || undefined, 3000, 'both joins');
    expect(joined(a.client).sort()).toEqual([a.id, b.id].sort()); // a's own join among them

    a.client.send({ type: 'presence.track', room: 'lobby', state: 'a2' });
    const frameOf = (client: RawClient) => waitFor(() => client.texts.find((t) => t.includes('"a2"')), 3000, "a's move");
    const [toA, toB, toC] = await Promise.all([a, b, c].map(({ client }) => frameOf(client)));
    expect(JSON.parse(toA!)).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: a.id, state: 'a2' }] });
    expect(toB).toBe(toA);
    expect(toC).toBe(toA);
  });

  it('relays a state as compact JSON holding what the mover sent, whoever wrote it and however', async () => {
    running = await startHub({ tickMs: 20, limits: { maxStateBytes: 64 } });
    const a = await connect(running.url);
    const b = await watcher(running.url);
    const frame = (state: string, ref: number) => `{"type":"presence.track","room":"lobby","state":${state},"ref":${ref}}`;
    const sent = [
      '{"x":0.35354569136933645,"y":[1,"é\\"\\u00e9"],"z":null}', // as JSON.stringify writes it: relayed as it is
      '{"x":1.50,"y":-0}', // another writer's spelling: the same numbers to every parser
      '{ "x" : 1e2 }', // whitespace and an exponent: written out again, compact
      '{"x":1,"y":2,"x":3}', // a key twice: JSON.parse keeps the last, and no watcher sees the first
    ];
    const diffs = () => b.client.texts.filter((t) => t.startsWith('{"type":"presence.diff"'));
    for (const [k, state] of sent.entries()) {
      a.client.send(frame(state, k + 1));
      await a.client.next('ack');
      await waitFor(() => diffs().length > k || undefined, 3000, `move ${k + 1}`);
    }
    const texts = diffs();
    const relayed = texts.map((t) => JSON.parse(t) as { joins?: { state: unknown }[]; updates?: { state: unknown }[] }).map((d) => (d.joins ?? d.updates)![0]!.state);
    expect(relayed).toEqual([JSON.parse(sent[0]!), { x: 1.5, y: -0 }, { x: 100 }, { x: 3, y: 2 }]);
    expect(texts[0]).toContain(sent[0]);
    expect(texts[2]).toContain('"state":{"x":100}}');
    expect(texts[3]).not.toContain('"x":1,');
    // The size limit counts the text relayed: the same refusal on either path.
    a.client.send(frame(`{"s":"${'x'.repeat(64)}"}`, 9));
    a.client.send(frame(`{ "s": "${'x'.repeat(64)}" }`, 10));
    expect(await a.client.next('error')).toMatchObject({ code: 'TOO_LARGE', ref: 9 });
    expect(await a.client.next('error')).toMatchObject({ code: 'TOO_LARGE', ref: 10 });
  });

  it('coalesces many updates within a tick into one frame holding the newest state', async () => {
    running = await startHub({ tickMs: 100 });
    const a = await connect(running.url);
    const c = await connect(running.url);
    const b = await watcher(running.url);
    for (let i = 0; i <= 20; i++) a.client.send({ type: 'presence.track', room: 'lobby', state: { x: i } });
    const diff = await b.client.next('presence.diff');
    expect(diff.joins).toEqual([{ id: a.id, color: a.color, state: { x: 20 } }]);
    expect(diff.updates).toBeUndefined();
    // c's join goes out with the next tick: any rest of a's burst would be in that frame or before it.
    c.client.send({ type: 'presence.track', room: 'lobby', state: 'c' });
    expect(await b.client.next('presence.diff')).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: c.id, color: c.color, state: 'c' }] });
    expect(b.client.ofType('presence.diff')).toHaveLength(2);
  });

  it('sends nothing when nothing changed', async () => {
    running = await startHub({ tickMs: 10 });
    const b = await watcher(running.url);
    // Ten ticks in which nothing changes: no change is sent after them to serve as a barrier, since
    // that change would itself give the tick something to send.
    await quietFor(100);
    expect(b.client.messages.map((m) => m.type)).toEqual(['welcome', 'presence.snapshot']);
  });

  it('a join and a leave within one tick cancel out: watchers see nothing', async () => {
    running = await startHub({ tickMs: 80 });
    const a = await connect(running.url);
    const c = await connect(running.url);
    const b = await watcher(running.url);
    a.client.send({ type: 'presence.track', room: 'lobby', state: 1 });
    a.client.send({ type: 'presence.untrack', room: 'lobby', ref: 1 });
    await a.client.next('ack');
    // c's join goes out in the tick of a's pair or a later one: anything of a would be in its frame or before it.
    c.client.send({ type: 'presence.track', room: 'lobby', state: 'c' });
    expect(await b.client.next('presence.diff')).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: c.id, color: c.color, state: 'c' }] });
    expect(b.client.ofType('presence.diff')).toHaveLength(1);
  });

  it('untrack leaves with reason "left" and keeps watching; leave stops watching', async () => {
    running = await startHub({ tickMs: 10 });
    const { a, b } = await memberAndWatcher(running.url);
    a.client.send({ type: 'presence.untrack', room: 'lobby' });
    expect(await b.client.next('presence.diff')).toMatchObject({ leaves: [{ id: a.id, reason: 'left' }] });

    b.client.send({ type: 'presence.track', room: 'lobby', state: 'b' });
    expect(await a.client.next('presence.diff')).toMatchObject({ joins: [{ id: b.id, state: 'b' }] });
    a.client.send({ type: 'presence.leave', room: 'lobby', ref: 1 });
    await a.client.next('ack');
    a.client.send({ type: 'presence.join', room: 'hall' });
    await a.client.next('presence.snapshot');
    b.client.send({ type: 'presence.track', room: 'lobby', state: 'b2' });
    // b's join in a room a still watches goes out in the tick of b2 or a later one, after any frame for 'lobby'.
    b.client.send({ type: 'presence.track', room: 'hall', state: 'b' });
    await waitFor(() => a.client.ofType('presence.diff').some((d) => d.room === 'hall'), 3000, "b's join in 'hall'");
    expect(a.client.ofType('presence.diff').map((d) => d.room)).toEqual(['lobby', 'hall']);
  });

  it('a member who disconnects leaves with "disconnected" once the grace period is over', async () => {
    running = await startHub({ tickMs: 10, graceMs: 300 });
    const { a, b } = await memberAndWatcher(running.url);
    const c = await connect(running.url);
    a.client.socket.terminate();
    await waitFor(() => running!.hub.stats().resumable === 1, 3000, 'the hub to see the socket drop');
    // Still there within the grace period: c's join, in the first tick after the drop, comes alone.
    c.client.send({ type: 'presence.track', room: 'lobby', state: 'c' });
    expect(await b.client.next('presence.diff')).toEqual({ type: 'presence.diff', room: 'lobby', joins: [{ id: c.id, color: c.color, state: 'c' }] });
    expect(await b.client.next('presence.diff')).toMatchObject({ leaves: [{ id: a.id, reason: 'disconnected' }] });
  });

  it('a client closing with 1000 leaves at once with "left"', async () => {
    running = await startHub({ tickMs: 10, graceMs: 60_000 });
    const { a, b } = await memberAndWatcher(running.url);
    a.client.close(1000);
    expect(await b.client.next('presence.diff')).toMatchObject({ leaves: [{ id: a.id, reason: 'left' }] });
  });

  it('a client resuming within the grace period keeps its id and membership: no leave, no join', async () => {
    running = await startHub({ tickMs: 10, graceMs: 5000 });
    const { a, b } = await memberAndWatcher(running.url);
    a.client.socket.terminate();
    await waitFor(() => running!.hub.stats().resumable === 1, 3000, 'the hub to see the socket drop');

    const again = await connect(running.url, `?resume=${encodeURIComponent(a.resume)}`);
    expect(again.id).toBe(a.id);
    expect(again.client.messages[0]).toMatchObject({ type: 'welcome', resumed: true });
    again.client.send({ type: 'presence.track', room: 'lobby', state: 2 });
    expect(await b.client.next('presence.diff')).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: a.id, state: 2 }] });
  });

  it('refuses a resume token with the wrong secret: a new connection, and the old one still leaves', async () => {
    running = await startHub({ tickMs: 10, graceMs: 100 });
    const a = await connect(running.url);
    a.client.socket.terminate();
    const impostor = await connect(running.url, `?resume=${a.id}.wrong-secret`);
    expect(impostor.id).not.toBe(a.id);
    expect(impostor.client.messages[0]).toMatchObject({ resumed: false });
  });

  it('refuses a state larger than the limit with TOO_LARGE', async () => {
    running = await startHub({ limits: { maxStateBytes: 100 } });
    const a = await connect(running.url);
    a.client.send({ type: 'presence.track', room: 'lobby', state: 'x'.repeat(200), ref: 4 });
    expect(await a.client.next('error')).toMatchObject({ code: 'TOO_LARGE', ref: 4 });
    expect(running.hub.stats().members).toBe(0);
  });

  it('keeps join order in snapshots', async () => {
    running = await startHub({ tickMs: 10 });
    const members: Awaited<ReturnType<typeof connect>>[] = [];
    for (let i = 0; i < 4; i++) {
      const m = await connect(running.url);
      m.client.send({ type: 'presence.track', room: 'lobby', state: i });
      await m.client.next('presence.snapshot');
      members.push(m);
    }
    // The first member sees the last one join: the ticks have announced all four.
    await waitFor(() => seenBy(members[0]!.client).size === 3, 3000, 'every join announced');
    const watcher = await connect(running.url);
    watcher.client.send({ type: 'presence.join', room: 'lobby' });
    const snapshot = await watcher.client.next('presence.snapshot');
    expect(snapshot.members.map((m) => m.id)).toEqual(members.map((m) => m.id));
    expect(running.hub.stats()).toMatchObject({ rooms: 1, members: 4 });
  });
});

describe('presence and browsers', () => {
  it('a socket closed with 1001 (a tab closing) leaves at once with "left", not after the grace period', async () => {
    running = await startHub({ tickMs: 10, graceMs: 60_000 });
    const { a, b } = await memberAndWatcher(running.url);
    a.client.close(1001);
    expect(await b.client.next('presence.diff', 1000)).toMatchObject({ leaves: [{ id: a.id, reason: 'left' }] });
  });
});
