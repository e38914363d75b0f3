// Histories end: a chat room or recoverable topic left idle for its TTL costs nothing in the store,
// and a client coming back after that sees it plainly (an empty chat history, a `topic.reset`), never
// silence. Behaviour over the memory bus and a real redis-server; the Redis keys' own TTLs on Redis.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter, type Adapter, type HubOptions } from '@ghost/server';
import { memoryBackplane, redisBackplane, type Backplane } from '../../../test/helpers/backplanes.js';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { waitFor, waitForAsync } from '../../../test/helpers/wait.js';

const TTL_MS = 300;

let nextRef = 1;
async function request(client: RawClient, message: Record<string, unknown>) {
  const ref = nextRef++;
  client.send({ ...message, ref });
  return waitFor(() => client.messages.find((m) => (m.type === 'ack' || m.type === 'error') && m.ref === ref));
}

async function hubOn(adapter: Adapter, options: HubOptions) {
  return startHub({ graceMs: 0, ...options, adapter });
}

async function joined(url: string, room: string) {
  const { client } = await RawClient.welcomed(url);
  await request(client, { type: 'chat.join', room });
  return client;
}

function behaviour(makeBackplane: () => Promise<Backplane>) {
  it('a newcomer to a chat room silent for longer than chat.historyTtlMs gets an empty history; reading did not keep it', async () => {
    const backplane = await makeBackplane();
    const running = await hubOn(await backplane.adapter('n1'), { chat: { historyTtlMs: TTL_MS } });
    const ada = await joined(running.url, 'fishing');
    await request(ada, { type: 'chat.identify', room: 'fishing', name: 'Ada' });
    expect(await request(ada, { type: 'chat.send', room: 'fishing', text: 'bring bait' })).toMatchObject({ type: 'ack' });
    const early = await joined(running.url, 'fishing');
    expect((await early.next('chat.history')).messages.map((m) => m.text)).toEqual(['bring bait']);

    // Reading keeps nothing alive: newcomers one after another, and the history still lapses.
    await waitForAsync(async () => {
      const late = await joined(running.url, 'fishing');
      const history = await late.next('chat.history');
      late.close();
      return history.messages.length === 0;
    }, 5 * TTL_MS, 'an empty history');
    // The room works as before: the next message starts a new history.
    await request(ada, { type: 'chat.send', room: 'fishing', text: 'new day' });
    const next = await joined(running.url, 'fishing');
    expect((await next.next('chat.history')).messages.map((m) => m.text)).toEqual(['new day']);
  });

  it('a reader of a recoverable topic whose history lapsed gets topic.reset on its return, then the new messages', async () => {
    const backplane = await makeBackplane();
    const running = await hubOn(await backplane.adapter('n1'), { recovery: { topics: ['orders'], ttlMs: TTL_MS } });
    const reader = await RawClient.connect(running.url, '?v=1');
    await reader.next('welcome');
    reader.send({ type: 'topic.subscribe', topic: 'orders', ref: 1 });
    await reader.next('ack');
    await running.hub.publish('orders', 'a');
    const published = Date.now(); // the history's TTL started before this
    const seen = (await reader.next('topic.message')).seq!;
    reader.close();

    // Time under test: away until the history's TTL is over, by the clock the stores expire keys by.
    await waitFor(() => Date.now() > published + TTL_MS, 2 * TTL_MS, "the history's TTL to run out");
    const back = await RawClient.connect(running.url, '?v=1');
    await back.next('welcome');
    back.send({ type: 'topic.subscribe', topic: 'orders', since: seen, ref: 2 });
    await back.next('ack');
    expect(back.messages.map((m) => m.type)).toEqual(['welcome', 'topic.reset', 'ack']);
    await running.hub.publish('orders', 'b');
    const fresh = await back.next('topic.message');
    expect(fresh.data).toBe('b');
    expect(fresh.seq).toBeGreaterThan(seen); // numbered anew, above anything given out before
  });
}

describe('history expiry on the memory adapter', () => {
  behaviour(async () => memoryBackplane());

  it('frees lapsed streams nobody touches again, so memory follows the rooms in use', async () => {
    const bus = createMemoryBus();
    const adapter = memoryAdapter({ bus });
    await adapter.start({ nodeId: 'n1', onError: (error) => { throw error; } });
    for (let i = 0; i < 1000; i++) await adapter.append(`room${i}`, 'x', 50, 50);
    await adapter.append('kept', 'x', 50); // no TTL
    expect(bus._store.streams.size).toBe(1001);
    // Appends sweep at most once a second: append to another stream until one has swept the lapsed ones.
    await waitForAsync(async () => {
      await adapter.append('busy', 'x', 50, 60_000);
      return bus._store.streams.size <= 2;
    }, 3000, 'an append to sweep the lapsed streams');
    expect([...bus._store.streams.keys()].sort()).toEqual(['busy', 'kept']);
    await adapter.close();
  });
});

describeIfRedis('history expiry on Redis', () => {
  const server = useRedisServer();
  behaviour(() => redisBackplane(server));

  function probe(): Redis {
    const redis = new Redis(server.url);
    closeAfterTest(async () => {
      await redis.flushall();
      redis.disconnect();
    });
    return redis;
  }

  it('each chat message sets the history key to expire chat.historyTtlMs later; then the key is gone', async () => {
    const redis = probe();
    const backplane = await redisBackplane(server);
    const running = await hubOn(await backplane.adapter('n1'), { chat: { historyTtlMs: TTL_MS } });
    const ada = await joined(running.url, 'fishing');
    await request(ada, { type: 'chat.identify', room: 'fishing', name: 'Ada' });
    const key = 'ghost:chat:{fishing}:history';
    await request(ada, { type: 'chat.send', room: 'fishing', text: 'one' });
    const first = await redis.pttl(key);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(TTL_MS);
    // Still there, 100 ms closer to its end: then the next message renews it.
    await waitForAsync(async () => {
      const ttl = await redis.pttl(key);
      return ttl > 0 && ttl <= TTL_MS - 100;
    }, 3000, 'the TTL to run down by 100 ms');
    await request(ada, { type: 'chat.send', room: 'fishing', text: 'two' });
    expect(await redis.pttl(key)).toBeGreaterThan(TTL_MS - 100); // renewed by the append
    await waitForAsync(async () => (await redis.exists(key)) === 0, 5 * TTL_MS, 'the key to expire');
  });

  it('a recoverable topic publish sets recovery.ttlMs on its history key; then the key is gone', async () => {
    const redis = probe();
    const backplane = await redisBackplane(server);
    const running = await hubOn(await backplane.adapter('n1'), { recovery: { topics: ['orders'], ttlMs: TTL_MS } });
    const key = 'ghost:topic:{orders}:history';
    await running.hub.publish('orders', 'a');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(TTL_MS);
    await waitForAsync(async () => (await redis.exists(key)) === 0, 5 * TTL_MS, 'the key to expire');
  });

  it('by default a chat history lives 7 days after its last message and a topic history 1 day; 0 keeps them for ever', async () => {
    const redis = probe();
    const backplane = await redisBackplane(server);
    const defaults = await hubOn(await backplane.adapter('n1'), { recovery: { topics: ['orders'] } });
    const forever = await hubOn(await backplane.adapter('n2'), { recovery: { topics: ['kept'], ttlMs: 0 }, chat: { historyTtlMs: 0 } });
    for (const [running, room] of [[defaults, 'week'], [forever, 'always']] as const) {
      const client = await joined(running.url, room);
      await request(client, { type: 'chat.identify', room, name: 'Ada' });
      await request(client, { type: 'chat.send', room, text: 'hi' });
    }
    await defaults.hub.publish('orders', 'a');
    await forever.hub.publish('kept', 'a');
    const day = 24 * 3_600_000;
    expect(await redis.pttl('ghost:chat:{week}:history')).toBeGreaterThan(7 * day - 60_000);
    expect(await redis.pttl('ghost:topic:{orders}:history')).toBeGreaterThan(day - 60_000);
    expect(await redis.pttl('ghost:topic:{orders}:history')).toBeLessThanOrEqual(day);
    expect(await redis.pttl('ghost:chat:{always}:history')).toBe(-1); // exists, no expiry
    expect(await redis.pttl('ghost:topic:{kept}:history')).toBe(-1);
  });
});
