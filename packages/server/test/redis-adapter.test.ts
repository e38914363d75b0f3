// What only the Redis adapter has: real subscriptions on a server, a server that dies and comes back,
// option checks, and two hubs that meet through one Redis. The shared behaviour is in adapter-contract.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { dropSettledCommands } from '../src/adapters/redis-watchdog.js';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedis, freePort, useRedisServer } from '../../../test/helpers/redis-server.js';
import { startTcpProxy } from '../../../test/helpers/tcp-proxy.js';
import { quietFor, waitFor, waitForAsync } from '../../../test/helpers/wait.js';

/** How often the publishing link reads its answers: a third of the adapter's 1.5 s command timeout. */
const TICK_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeIfRedis('redisAdapter', () => {
  const server = useRedisServer();
  let probe: Redis; // a plain client, to look at the server from outside
  const opened: { close(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    probe = new Redis(server.url, { lazyConnect: true });
    await probe.connect();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((o) => o.close()));
    await probe.flushall();
  });
  afterAll(() => {
    probe?.disconnect();
  });

  async function started(adapter: Adapter, nodeId = 'n1') {
    const errors: Error[] = [];
    opened.push(adapter);
    await adapter.start({ nodeId, onError: (error) => errors.push(error) });
    return errors;
  }

  async function numsub(channel: string): Promise<number> {
    const [, count] = (await probe.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count);
  }

  it('holds a Redis subscription only while subscribed, under the hub’s channel name', async () => {
    const adapter = redisAdapter({ url: server.url });
    await started(adapter);
    expect(await numsub('ghost:topic:news')).toBe(0);
    await adapter.subscribe('ghost:topic:news', () => undefined);
    expect(await numsub('ghost:topic:news')).toBe(1);
    expect(await numsub('ghost:ghost:topic:news')).toBe(0); // the hub's `ghost:` is not prefixed again
    await adapter.unsubscribe('ghost:topic:news');
    expect(await numsub('ghost:topic:news')).toBe(0);
    expect(await probe.pubsub('NUMPAT')).toBe(0); // never pattern subscriptions
  });

  it('puts every key and channel under its prefix', async () => {
    const adapter = redisAdapter({ url: server.url, prefix: 'app1:' });
    await started(adapter);
    await adapter.subscribe('ghost:topic:news', () => undefined);
    expect(await numsub('app1:ghost:topic:news')).toBe(1);
    await adapter.claim('chat:lobby:name:ada', 'conn1', 10_000);
    await adapter.append('chat:lobby:history', 'hi', 10);
    expect((await probe.keys('*')).sort()).toEqual(['app1:chat:lobby:history', 'app1:chat:lobby:name:ada']);
    expect(await probe.get('app1:chat:lobby:name:ada')).toBe('conn1');
    expect(await probe.pttl('app1:chat:lobby:name:ada')).toBeGreaterThan(9000);
    expect(await probe.call('XLEN', 'app1:chat:lobby:history')).toBe(1);
  });

  it('delivers frames published by any Redis client, and reports a throwing handler instead of throwing', async () => {
    const adapter = redisAdapter({ url: server.url });
    const errors = await started(adapter);
    const frames: string[] = [];
    await adapter.subscribe('ghost:all', (frame) => {
      if (frame === 'boom') throw new Error('handler bug');
      frames.push(frame);
    });
    await probe.publish('ghost:all', 'boom');
    await probe.publish('ghost:all', 'fine');
    await waitFor(() => frames.length === 1);
    expect(frames).toEqual(['fine']);
    expect(errors.map((e) => e.message)).toEqual(['handler bug']);
  });

  it('survives a Redis crash: reports it, reconnects, resubscribes by itself, and works again', async () => {
    const adapter = redisAdapter({ url: server.url });
    const errors = await started(adapter);
    const frames: string[] = [];
    await adapter.subscribe('ghost:topic:live', (frame) => frames.push(frame));
    expect(await adapter.claim('k', 'me', 60_000)).toBe(true);
    const beforeCrash = await adapter.append('s', 'x', 10);

    await server.kill();
    await waitFor(() => errors.length > 0, 3000, 'onError');
    expect(errors[0]!.message).toMatch(/redisAdapter: .*connection to redis:\/\/127\.0\.0\.1:\d+.*reconnects by itself/);

    const restartedAt = Date.now();
    await server.restart();
    await probe.ping(); // the probe reconnects too
    // Nobody calls subscribe again: a frame published after the restart still arrives.
    await waitFor(() => {
      if (frames.length > 0) return true;
      void probe.publish('ghost:topic:live', 'after restart');
      return false;
    }, 5000, 'a frame after the restart');
    const resubscribedMs = Date.now() - restartedAt;
    expect(frames[0]).toBe('after restart');
    expect(await numsub('ghost:topic:live')).toBe(1);
    // The restarted server is empty (no persistence): the store works on it from scratch.
    expect(await adapter.claim('k', 'someone else', 60_000)).toBe(true);
    const afterRestart = await adapter.append('s', 'x', 10);
    expect(afterRestart).toBeGreaterThan(beforeCrash); // the lost stream's numbers are never given out again
    expect(errors).toHaveLength(1); // one report for the outage, not one per connection or retry
    console.info(`redisAdapter resubscribed ${resubscribedMs} ms after redis-server was back`);
  });

  it('never runs a command after telling its caller it timed out, though ioredis resends the unanswered after a reconnect', async () => {
    const proxy = await startTcpProxy(server.port);
    const adapter = redisAdapter({ url: `redis://127.0.0.1:${proxy.port}` });
    const errors = await started(adapter);
    await adapter.append('before', 'the script is loaded, so a resent call would run', 100);
    proxy.stall(); // the XADD is written, never answered
    await expect(adapter.append('late', 'given up on', 100)).rejects.toThrow(/Command timed out/);
    proxy.cut(); // the link drops with the command still unanswered
    await waitFor(() => errors.length > 0, 2000, 'the lost link reported');
    proxy.heal(); // ioredis reconnects
    proxy.resume();
    await adapter.append('after', 'sent once the link is back', 100); // resent commands would go before it
    expect(await probe.xlen('ghost:after')).toBe(1);
    expect(await probe.xlen('ghost:late')).toBe(0); // a caller that retried would have stored it twice
  });

  it('stores a history entry once when its answer was lost with the link and ioredis sends the append again', async () => {
    const proxy = await startTcpProxy(server.port);
    const adapter = redisAdapter({ url: `redis://127.0.0.1:${proxy.port}` });
    const errors = await started(adapter);
    const first = await adapter.append('history', 'one', 100);
    proxy.mute(); // the next append reaches Redis and is carried out; its answer is held
    const second = adapter.append('history', 'two', 100);
    await waitForAsync(async () => (await probe.xlen('ghost:history')) === 2, 2000, 'Redis to store the second entry');
    proxy.cut(); // the answer is lost with the link; ioredis holds the append as unanswered
    await waitFor(() => errors.length > 0, 2000, 'the lost link reported');
    proxy.heal();
    proxy.resume();
    expect(await second).toBe(first + 1); // answered by the entry it made the first time
    expect(await probe.xlen('ghost:history')).toBe(2);
    expect((await adapter.range('history', 0, 10)).entries.map(([, entry]) => entry)).toEqual(['one', 'two']);
  });

  it('a Redis Cluster node connection never runs a command after its own timeout failed it (dropSettledCommands)', async () => {
    const proxy = await startTcpProxy(server.port);
    // As ioredis makes each node of a Cluster: a plain client bounded by ioredis's own command timeout.
    const node = new Redis(`redis://127.0.0.1:${proxy.port}`, { commandTimeout: 300, maxRetriesPerRequest: 3 });
    node.on('error', () => undefined);
    opened.push({ close: async () => node.disconnect() });
    dropSettledCommands(node);
    await node.ping();
    proxy.stall();
    await expect(node.set('late', 'given up on')).rejects.toThrow(/Command timed out/);
    proxy.cut();
    await waitFor(() => node.status !== 'ready', 2000, 'the link to drop');
    proxy.heal();
    proxy.resume();
    await node.set('after', 'sent once the link is back');
    expect(await probe.exists('after')).toBe(1);
    expect(await probe.exists('late')).toBe(0);
  });

  describe('the publishing link (PUBLISH on a single Redis, answers read once per tick)', () => {
    /** An adapter started with every report it makes kept: errors, lost publishes, reconnects. */
    async function watched(url: string) {
      const adapter = redisAdapter({ url });
      const seen = { errors: [] as Error[], lost: [] as { count: number; message: string }[], reconnects: 0 };
      opened.push(adapter);
      await adapter.start({
        nodeId: 'n1',
        onError: (error) => seen.errors.push(error),
        onPublishLost: (count, error) => seen.lost.push({ count, message: error.message }),
        onReconnect: () => (seen.reconnects += 1),
      });
      return { adapter, seen, lostCount: () => seen.lost.reduce((sum, l) => sum + l.count, 0) };
    }
    /** A probe subscribed to `channels`, with what it hears on each. */
    async function listening(...channels: string[]) {
      const listener = probe.duplicate();
      opened.push({ close: () => listener.quit() });
      const heard: Record<string, string[]> = Object.fromEntries(channels.map((c) => [c, []]));
      listener.on('message', (channel: string, frame: string) => heard[channel]!.push(frame));
      await listener.subscribe(...channels);
      return heard;
    }

    it('publishes as a Redis user with a password, and counts each publish Redis refuses, in its words', async () => {
      await probe.acl('SETUSER', 'publisher', 'on', '>s3cret', '~*', 'resetchannels', '&ghost:ok*', '+@all');
      try {
        const heard = await listening('ghost:ok', 'ghost:no');
        const { adapter, seen, lostCount } = await watched(`redis://publisher:s3cret@127.0.0.1:${server.port}`);
        await adapter.publish('ghost:ok', 'first');
        await adapter.publish('ghost:no', 'not allowed'); // resolves: the refusal is read later
        await adapter.publish('ghost:ok', 'second');
        await waitFor(() => heard['ghost:ok']!.length === 2, 2000, 'both allowed publishes');
        await waitFor(() => lostCount() === 1, 2000, 'the refused publish counted');
        expect(heard).toEqual({ 'ghost:ok': ['first', 'second'], 'ghost:no': [] });
        expect(seen.lost[0]!.message).toMatch(/^NOPERM /);
        expect(seen.errors).toEqual([]);
      } finally {
        await probe.acl('DELUSER', 'publisher');
      }
    });

    it('reports a wrong password instead of publishing, and keeps trying', async () => {
      await probe.acl('SETUSER', 'publisher', 'on', '>s3cret', '~*', '&*', '+@all');
      try {
        const heard = await listening('ghost:ok');
        const { adapter, seen } = await watched(`redis://publisher:wrong@127.0.0.1:${server.port}`);
        await waitFor(() => seen.errors.length > 0, 3000, 'a report');
        expect(seen.errors[0]!.message).toMatch(/WRONGPASS|invalid username-password/);
        await probe.acl('SETUSER', 'publisher', '>wrong'); // the operator adds the password the hub has
        await waitFor(() => {
          void adapter.publish('ghost:ok', 'once the password is right');
          return heard['ghost:ok']!.length > 0;
        }, 5000, 'a publish once the password is right');
      } finally {
        await probe.acl('DELUSER', 'publisher');
      }
    });

    it('holds publishes while the link is down and sends them in order once it is back; it counts every one it loses', async () => {
      const proxy = await startTcpProxy(server.port);
      const heard = await listening('ghost:live');
      const { adapter, seen, lostCount } = await watched(`redis://127.0.0.1:${proxy.port}`);
      await adapter.publish('ghost:live', 'before');
      await waitFor(() => heard['ghost:live']!.length === 1, 2000, 'the first publish');

      // The link reads only once per tick, so a cut shows within one; a publish written before that is lost.
      proxy.cut();
      await adapter.publish('ghost:live', 'at the cut');
      await sleep(TICK_MS * 1.5);
      await adapter.publish('ghost:live', 'during the cut'); // the link is known down: held
      proxy.heal();
      await waitFor(() => heard['ghost:live']!.includes('during the cut'), 3000, 'the held publish');
      await sleep(TICK_MS * 1.5); // a late answer or loss report would be read by now
      const delivered = heard['ghost:live']!.slice(1);
      expect(delivered.length + lostCount()).toBe(2); // each delivered, or counted lost: none vanish
      expect(delivered).toEqual(['at the cut', 'during the cut'].slice(2 - delivered.length));

      proxy.cut();
      await sleep(TICK_MS * 1.5);
      const lostBefore = lostCount();
      const reconnects = seen.reconnects;
      await adapter.publish('ghost:live', 'held too long');
      await waitFor(() => lostCount() > lostBefore, 3000, 'the held publish given up');
      expect(seen.lost.at(-1)!.message).toBe('Command timed out');
      proxy.heal();
      await waitFor(() => seen.reconnects > reconnects, 3000, 'the hub told to say again what was lost');
      await adapter.publish('ghost:live', 'after');
      await waitFor(() => heard['ghost:live']!.includes('after'), 3000, 'a publish after the second cut');
      expect(heard['ghost:live']).not.toContain('held too long');
    });

    it('a link that stops answering: its publishes are counted lost within the timeout, and the hub is told once it answers again', async () => {
      const proxy = await startTcpProxy(server.port);
      const heard = await listening('ghost:live');
      const { adapter, seen, lostCount } = await watched(`redis://127.0.0.1:${proxy.port}`);
      proxy.stall();
      const stalledAt = Date.now();
      await adapter.publish('ghost:live', 'stalled');
      await waitFor(() => lostCount() === 1, 2500, 'the unanswered publish counted');
      expect(Date.now() - stalledAt).toBeLessThan(2500);
      expect(seen.lost[0]!.message).toBe('Command timed out');
      proxy.resume(); // Redis gets what was held, late
      await adapter.publish('ghost:live', 'after');
      await waitFor(() => seen.reconnects > 0, 3000, 'the hub told the link flows again');
      await waitFor(() => heard['ghost:live']!.includes('after'), 2000, 'the publish after the stall');
      expect(lostCount()).toBe(1); // the late answer to the first is not counted again
    });

    it('sends what was published before close, and counts nothing lost', async () => {
      const heard = await listening('ghost:bye');
      const { adapter, lostCount } = await watched(server.url);
      for (let i = 0; i < 100; i++) await adapter.publish('ghost:bye', String(i));
      await adapter.close();
      await waitFor(() => heard['ghost:bye']!.length === 100, 2000, 'every publish');
      expect(heard['ghost:bye']).toEqual(Array.from({ length: 100 }, (_, i) => String(i)));
      expect(lostCount()).toBe(0);
    });
  });

  it('starts without a Redis (reported, not thrown) and closes at once while retrying', async () => {
    const port = await freePort();
    const adapter = redisAdapter({ url: `redis://127.0.0.1:${port}` });
    const errors = await started(adapter);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(`redis://127.0.0.1:${port}`);
    expect(errors[0]!.message).toMatch(/start Redis there or fix the url/);
    const began = Date.now();
    await adapter.close();
    await adapter.close(); // twice is fine
    expect(Date.now() - began).toBeLessThan(500);
    // Nothing is left to send a report after close, so nothing can come after it as a barrier: a window
    // longer than ioredis's first reconnect delays (50, 100, 150 ms), in which a retry would report.
    await quietFor(300);
    expect(errors).toHaveLength(1); // no more reports after close
  });

  it('works through a client the app made, and leaves that client open', async () => {
    const client = new Redis(server.url, { lazyConnect: true });
    opened.push({ close: async () => client.disconnect() });
    const adapter = redisAdapter({ client, prefix: 'mine:' });
    await started(adapter);
    const frames: string[] = [];
    await adapter.subscribe('ghost:x', (frame) => frames.push(frame));
    await adapter.publish('ghost:x', 'own echo');
    await waitFor(() => frames.length === 1);
    expect(await adapter.claim('k', 'me', 1000)).toBe(true);
    await adapter.close();
    expect(client.status).toBe('ready');
    expect(await client.get('mine:k')).toBe('me');
  });

  it('rejects bad options with a TypeError that says the fix', () => {
    const make = (options: unknown) => () => redisAdapter(options as Parameters<typeof redisAdapter>[0]);
    expect(make(undefined)).toThrow(new TypeError("redisAdapter: pass { url: 'redis://127.0.0.1:6379' }, { cluster: ['redis://10.0.0.1:7000', …] } or { client } with an ioredis client"));
    expect(make({})).toThrow(/pass \{ url: 'redis:\/\/127\.0\.0\.1:6379' \}/);
    expect(make({ url: 'localhost:6379' })).toThrow(/url must look like 'redis:\/\/127\.0\.0\.1:6379'/);
    expect(make({ url: 6379 })).toThrow(TypeError);
    expect(make({ url: server.url, client: {} })).toThrow(/one of url, cluster or client/);
    expect(make({ url: server.url, cluster: [server.url] })).toThrow(/one of url, cluster or client/);
    expect(make({ client: { get() {} } })).toThrow(/must be an ioredis client/);
    expect(make({ cluster: [] })).toThrow(/cluster must be seed node URLs/);
    expect(make({ cluster: ['10.0.0.1:7000'] })).toThrow(/cluster must be seed node URLs such as \['redis:\/\/10\.0\.0\.1:7000'/);
    expect(make({ cluster: 'redis://10.0.0.1:7000' })).toThrow(/cluster must be seed node URLs/);
    expect(make({ url: server.url, clusterOptions: {} })).toThrow(/clusterOptions go with cluster/);
    expect(make({ url: server.url, prefix: 'app{1}:' })).toThrow(/prefix must be a string without braces/);
    expect(make({ url: server.url, prefix: 1 })).toThrow(/prefix must be a string/);
  });

  describe('two hubs on one Redis', () => {
    const hubs: RunningHub[] = [];
    const clients: RawClient[] = [];
    afterEach(async () => {
      for (const client of clients.splice(0)) client.close();
      await Promise.all(hubs.splice(0).map((h) => h.close()));
    });

    async function hub(nodeId: string) {
      const running = await startHub({ adapter: redisAdapter({ url: server.url }), nodeId });
      hubs.push(running);
      return running;
    }
    async function connect(url: string) {
      const client = await RawClient.connect(url);
      clients.push(client);
      await client.next('welcome');
      return client;
    }

    it('deliver a topic message published on hub A to a subscriber on hub B, once', async () => {
      const [a, b] = [await hub('node-a'), await hub('node-b')];
      const errors: Error[] = [];
      for (const h of [a, b]) h.hub.on('error', (error: Error) => errors.push(error));
      const publisher = await connect(a.url);
      const subscriber = await connect(b.url);
      subscriber.send({ type: 'topic.subscribe', topic: 'builds', ref: 1 });
      await subscriber.next('ack');
      expect(await numsub('ghost:topic:{builds}')).toBe(1);

      publisher.send({ type: 'topic.publish', topic: 'builds', data: { ok: true, sha: 'abc' }, ref: 2 });
      expect(await subscriber.next('topic.message')).toMatchObject({ topic: 'builds', data: { ok: true, sha: 'abc' } });
      // A later message from hub A comes down the same channel after any copy of the first; the
      // publisher's ack comes after anything its hub would have sent it of its own messages.
      publisher.send({ type: 'topic.publish', topic: 'builds', data: 'later', ref: 3 });
      expect(await subscriber.next('topic.message')).toMatchObject({ data: 'later' });
      await waitFor(() => publisher.ofType('ack').some((ack) => ack.ref === 3), 3000, "the later publish's ack");
      expect(subscriber.ofType('topic.message')).toHaveLength(2);
      expect(publisher.ofType('topic.message')).toHaveLength(0);
      expect(subscriber.invalid).toEqual([]);
      expect(errors).toEqual([]);
    });

    it('a Redis that stops answering: a publish gives up within the command timeout and is reported once; delivery resumes when it answers', async () => {
      const proxy = await startTcpProxy(server.port);
      const a = await startHub({ adapter: redisAdapter({ url: `redis://127.0.0.1:${proxy.port}` }), nodeId: 'node-a' });
      hubs.push(a);
      const b = await hub('node-b');
      const errors: Error[] = [];
      a.hub.on('error', (error: Error) => errors.push(error));
      const subscriber = await connect(b.url);
      subscriber.send({ type: 'topic.subscribe', topic: 'builds', ref: 1 });
      await subscriber.next('ack');
      await a.hub.publish('builds', 'before');
      expect(await subscriber.next('topic.message')).toMatchObject({ data: 'before' });

      proxy.stall(); // the link stays up, nothing comes back: only a timeout can tell
      const published = Promise.all([a.hub.publish('builds', 'stalled 1'), a.hub.publish('builds', 'stalled 2')]);
      await waitFor(() => errors.length > 0, 2500, 'a report of the failed publish');
      await published; // local delivery happened; the failure is reported, not thrown
      expect(errors).toHaveLength(1); // two failed publishes (and heartbeats), one report
      expect(errors[0]!.message).toMatch(/Publishing to the other nodes failed: Command timed out/);

      proxy.resume(); // Redis answers again, and sends on what it was holding
      await a.hub.publish('builds', 'after');
      await waitFor(() => subscriber.ofType('topic.message').some((m) => m.data === 'after'), 3000, 'the publish after the stall');
    });
  });
});
