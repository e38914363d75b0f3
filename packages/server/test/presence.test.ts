import { describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { sleep, waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

const connect = RawClient.welcomed;

/** A connection watching 'lobby', its snapshot received. */
async function watcher(url: string) {
  const b = await connect(url);
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
  it('sends a newcomer a snapshot of the members, then diffs; never your own state', async () => {
    running = await startHub({ tickMs: 20 });
    const a = await connect(running.url);
    a.client.send({ type: 'presence.track', room: 'lobby', state: { x: 1, y: 1 } });
    expect(await a.client.next('presence.snapshot')).toMatchObject({ room: 'lobby', members: [] });

    await waitFor(() => running!.hub.stats().members === 1);
    await sleep(40);
    const b = await connect(running.url);
    b.client.send({ type: 'presence.join', room: 'lobby' });
    const snapshot = await b.client.next('presence.snapshot');
    expect(snapshot.members).toEqual([{ id: a.id, color: a.color, state: { x: 1, y: 1 } }]);

    a.client.send({ type: 'presence.track', room: 'lobby', state: { x: 2, y: 2 } });
    const diff = await b.client.next('presence.diff');
    expect(diff).toEqual({ type: 'presence.diff', room: 'lobby', updates: [{ id: a.id, state: { x: 2, y: 2 } }] });
    await sleep(60);
    // a's own moves never come back to a
    expect(a.client.ofType('presence.diff')).toEqual([]);
  });

  it('coalesces many updates within a tick into one frame holding the newest state', async () => {
    running = await startHub({ tickMs: 100 });
    const a = await connect(running.url);
    const b = await watcher(running.url);
    for (let i = 0; i <= 20; i++) a.client.send({ type: 'presence.track', room: 'lobby', state: { x: i } });
    const diff = await b.client.next('presence.diff');
    expect(diff.joins).toEqual([{ id: a.id, color: a.color, state: { x: 20 } }]);
    expect(diff.updates).toBeUndefined();
    await sleep(150);
    expect(b.client.ofType('presence.diff')).toHaveLength(1);
  });

  it('sends nothing when nothing changed', async () => {
    running = await startHub({ tickMs: 10 });
    const b = await watcher(running.url);
    await sleep(100);
    expect(b.client.messages.map((m) => m.type)).toEqual(['welcome', 'presence.snapshot']);
  });

  it('a join and a leave within one tick cancel out: watchers see nothing', async () => {
    running = await startHub({ tickMs: 80 });
    const a = await connect(running.url);
    const b = await watcher(running.url);
    a.client.send({ type: 'presence.track', room: 'lobby', state: 1 });
    a.client.send({ type: 'presence.untrack', room: 'lobby' });
    await sleep(200);
    expect(b.client.ofType('presence.diff')).toEqual([]);
  });

  it('untrack leaves with reason "left" and keeps watching; leave stops watching', async () => {
    running = await startHub({ tickMs: 10 });
    const { a, b } = await memberAndWatcher(running.url);
    a.client.send({ type: 'presence.untrack', room: 'lobby' });
    expect(await b.client.next('presence.diff')).toMatchObject({ leaves: [{ id: a.id, reason: 'left' }] });

    b.client.send({ type: 'presence.track', room: 'lobby', state: 'b' });
    expect(await a.client.next('presence.diff')).toMatchObject({ joins: [{ id: b.id, state: 'b' }] });
    a.client.send({ type: 'presence.leave', room: 'lobby' });
    await sleep(30);
    b.client.send({ type: 'presence.track', room: 'lobby', state: 'b2' });
    await sleep(60);
    expect(a.client.ofType('presence.diff')).toHaveLength(1);
  });

  it('a member who disconnects leaves with "disconnected" once the grace period is over', async () => {
    running = await startHub({ tickMs: 10, graceMs: 100 });
    const { a, b } = await memberAndWatcher(running.url);
    a.client.socket.terminate();
    await sleep(50);
    expect(b.client.ofType('presence.diff')).toHaveLength(1); // still there within the grace period
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
    await sleep(30);

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
    const members = [];
    for (let i = 0; i < 4; i++) {
      const m = await connect(running.url);
      m.client.send({ type: 'presence.track', room: 'lobby', state: i });
      await m.client.next('presence.snapshot');
      members.push(m);
    }
    await sleep(30);
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
