// Regressions, each named after what broke.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createHub, createMemoryBus, memoryAdapter } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { sleep } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

const connect = RawClient.welcomed;

describe('regressions', () => {
  it('a member who untracks and re-tracks around a newcomer snapshot is still shown to the newcomer', async () => {
    running = await startHub({ tickMs: 150 });
    const m = await connect(running.url);
    const old = await connect(running.url);
    old.client.send({ type: 'presence.join', room: 'lobby' });
    m.client.send({ type: 'presence.track', room: 'lobby', state: 1 });
    await old.client.next('presence.diff', 1000); // m announced
    m.client.send({ type: 'presence.untrack', room: 'lobby', ref: 1 });
    await m.client.next('ack');
    const newcomer = await connect(running.url);
    newcomer.client.send({ type: 'presence.join', room: 'lobby', ref: 1 });
    await newcomer.client.next('ack');
    m.client.send({ type: 'presence.track', room: 'lobby', state: 2 });
    expect((await newcomer.client.next('presence.snapshot')).members).toEqual([]);
    expect(await newcomer.client.next('presence.diff', 1000)).toMatchObject({ joins: [{ id: m.id, state: 2 }] });
    // The old watcher saw no leave: for it, a join of a known member is an update.
    const diff = await old.client.next('presence.diff', 1000);
    expect(diff.leaves).toBeUndefined();
    expect(diff.joins).toMatchObject([{ id: m.id, state: 2 }]);
  });

  it('a rate-limited request is answered with its ref, so no promise waits forever', async () => {
    running = await startHub({ limits: { messagesPerSecond: 1, burst: 1 } });
    const c = await connect(running.url);
    c.client.send({ type: 'topic.subscribe', topic: 'a', ref: 1 });
    c.client.send({ type: 'topic.subscribe', topic: 'b', ref: 2 });
    c.client.send({ type: 'topic.subscribe', topic: 'c', ref: 3 });
    expect(await c.client.next('ack')).toMatchObject({ ref: 1 });
    expect(await c.client.next('error')).toMatchObject({ code: 'RATE_LIMITED', ref: 2 });
    expect(await c.client.next('error')).toMatchObject({ code: 'RATE_LIMITED', ref: 3 });
  });

  it('a flood of binary frames is rate limited and closed like any other flood', async () => {
    running = await startHub({ limits: { messagesPerSecond: 10, burst: 10 } });
    const c = await connect(running.url);
    for (let i = 0; i < 300; i++) c.client.socket.send(Buffer.from([i & 255]), { binary: true });
    expect(await c.client.closed()).toBe(1008);
  });

  it('a subscribe and an unsubscribe racing leave no orphan bus subscription', async () => {
    const bus = createMemoryBus();
    running = await startHub({ adapter: memoryAdapter({ bus }) });
    const c = await connect(running.url);
    for (let i = 0; i < 5; i++) {
      c.client.send({ type: 'topic.subscribe', topic: 'flip' });
      c.client.send({ type: 'topic.unsubscribe', topic: 'flip' });
    }
    c.client.send({ type: 'topic.subscribe', topic: 'flop', ref: 1 });
    await c.client.next('ack');
    await sleep(20);
    expect(bus.subscriberCount('ghost:topic:{flip}')).toBe(0);
    expect(bus.subscriberCount('ghost:topic:{flop}')).toBe(1);
    expect(running.hub.stats().topics).toBe(1);
  });

  it('a resume token stays good until the client used the new socket, so a lost welcome strands nothing', async () => {
    running = await startHub({ graceMs: 5000 });
    const first = await connect(running.url);
    first.client.socket.terminate();
    // The resume is accepted, but this socket dies before the client could read the welcome.
    const lost = await connect(running.url, `?resume=${encodeURIComponent(first.resume)}`);
    expect(lost.id).toBe(first.id);
    lost.client.socket.terminate();
    const retry = await connect(running.url, `?resume=${encodeURIComponent(first.resume)}`);
    expect(retry.id).toBe(first.id);
    retry.client.send({ type: 'pong' }); // now the client has the new token: the old one is spent
    await sleep(20);
    retry.client.socket.terminate();
    const replay = await connect(running.url, `?resume=${encodeURIComponent(first.resume)}`);
    expect(replay.id).not.toBe(first.id);
    const proper = await connect(running.url, `?resume=${encodeURIComponent(retry.resume)}`);
    expect(proper.id).toBe(first.id);
  });

  it('a hub that is closing welcomes no newcomer: refused, or told 1001', async () => {
    running = await startHub();
    await connect(running.url);
    const closing = running.hub.close();
    const outcome = await RawClient.connect(running.url).then(
      async (late) => ({ code: await late.closed(), welcomed: late.ofType('welcome').length }),
      () => 'refused',
    );
    expect([{ code: 1001, welcomed: 0 }, 'refused']).toContainEqual(outcome);
    await closing;
  });
});

describe('hub.handleUpgrade', () => {
  it('serves an app that routes upgrades itself', async () => {
    const hub = createHub();
    const server = http.createServer();
    server.on('upgrade', (request, socket, head) => {
      if (request.url?.startsWith('/realtime')) void hub.handleUpgrade(request, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = await RawClient.connect(`ws://127.0.0.1:${port}/realtime`);
    expect((await client.next('welcome')).v).toBe(1);
    await hub.close();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('memoryAdapter store', () => {
  it('claims are exclusive per key until released or expired; the same owner refreshes', async () => {
    const bus = createMemoryBus();
    const a = memoryAdapter({ bus });
    const b = memoryAdapter({ bus });
    await a.start({ nodeId: 'a', onError: () => undefined });
    await b.start({ nodeId: 'b', onError: () => undefined });
    expect(await a.claim('name:fishing:ada', 'a1', 10_000)).toBe(true);
    expect(await b.claim('name:fishing:ada', 'b1', 10_000)).toBe(false);
    expect(await a.claim('name:fishing:ada', 'a1', 10_000)).toBe(true);
    await b.release('name:fishing:ada', 'b1'); // not the owner: no effect
    expect(await b.claim('name:fishing:ada', 'b1', 10_000)).toBe(false);
    await a.release('name:fishing:ada', 'a1');
    expect(await b.claim('name:fishing:ada', 'b1', 20)).toBe(true);
    await sleep(30);
    expect(await a.claim('name:fishing:ada', 'a1', 10_000)).toBe(true);
  });

  it('streams number entries consecutively, keep the last maxLen, and page after a sequence', async () => {
    const store = memoryAdapter();
    await store.start({ nodeId: 'n', onError: () => undefined });
    const first = await store.append('chat:fishing', 'm1', 3);
    const at = (i: number) => first + i - 1;
    for (let i = 2; i <= 5; i++) expect(await store.append('chat:fishing', `m${i}`, 3)).toBe(at(i));
    expect(await store.range('chat:fishing', 0, 10)).toEqual({ entries: [[at(3), 'm3'], [at(4), 'm4'], [at(5), 'm5']], oldestSeq: at(3), lastSeq: at(5) });
    expect(await store.range('chat:fishing', at(3), 1)).toEqual({ entries: [[at(4), 'm4']], oldestSeq: at(3), lastSeq: at(5) });
    expect(await store.range('chat:empty', 0, 10)).toEqual({ entries: [], oldestSeq: 1, lastSeq: 0 });
  });
});

describe('chat keys', () => {
  it("a room named like another room's name key does not collide with it", async () => {
    const running = await startHub();
    const c = await connect(running.url);
    c.client.send({ type: 'chat.identify', room: 'x', name: 'y:history', ref: 1 });
    expect(await c.client.next('ack')).toMatchObject({ ref: 1 });
    c.client.send({ type: 'chat.identify', room: 'x:name:y', name: 'ada', ref: 2 });
    c.client.send({ type: 'chat.send', room: 'x:name:y', text: 'hello', ref: 3 });
    await c.client.next('ack');
    expect(await c.client.next('ack')).toMatchObject({ ref: 3, result: { text: 'hello' } });
    // The room's history holds its one message, nothing of the other room's name claim.
    const late = await connect(running.url);
    late.client.send({ type: 'chat.join', room: 'x:name:y' });
    expect((await late.client.next('chat.history')).messages.map((m) => m.text)).toEqual(['hello']);
  });
});

describe('garbage on the bus', () => {
  it('is dropped and reported through the error event, never thrown, and delivery goes on', async () => {
    const bus = createMemoryBus();
    const running = await startHub({ adapter: memoryAdapter({ bus }) });
    const errors: Error[] = [];
    running.hub.on('error', (e) => errors.push(e));
    const { client } = await connect(running.url);
    client.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    await client.next('ack');
    const intruder = memoryAdapter({ bus });
    await intruder.start({ nodeId: 'intruder', onError: () => undefined });
    await intruder.publish('ghost:topic:{news}', 'not an envelope');
    await intruder.publish('ghost:topic:{news}', '{"v":1,"node":"intruder","kind":"topic"}');
    await sleep(20);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^Dropped 1 unreadable frame/)]);
    await running.hub.publish('news', 'still here');
    expect((await client.next('topic.message')).data).toBe('still here');
  });
});
