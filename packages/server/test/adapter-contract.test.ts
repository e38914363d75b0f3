// One contract, every adapter: what the hub relies on, checked the same way against the memory bus and
// a real redis-server. A new adapter joins by adding one `adapterContract(...)` line at the bottom.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter, type Adapter } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { describeIfRedisCluster, sharedRedisCluster, uniquePrefix } from '../../../test/helpers/redis-cluster.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { sleep, waitFor, waitForAsync } from '../../../test/helpers/wait.js';

/** Makes one cluster: each call of the returned function is another node on the same bus and store. */
type ClusterFactory = () => () => Adapter;

interface Node {
  adapter: Adapter;
  /** Frames received, per channel, in arrival order. */
  received: Map<string, string[]>;
  subscribe(channel: string): Promise<void>;
}

function adapterContract(newCluster: ClusterFactory): void {
  let newNode: () => Adapter;
  let nodes: Node[] = [];
  let errors: Error[] = [];

  beforeEach(() => {
    newNode = newCluster();
    nodes = [];
    errors = [];
  });
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.adapter.close()));
    expect(errors).toEqual([]);
  });

  async function start(count: number): Promise<Node[]> {
    const started: Node[] = [];
    for (let i = 0; i < count; i++) {
      const adapter = newNode();
      await adapter.start({ nodeId: `node${nodes.length}`, onError: (error) => errors.push(error) });
      const received = new Map<string, string[]>();
      const node: Node = {
        adapter,
        received,
        subscribe: (channel) => adapter.subscribe(channel, (frame) => received.set(channel, [...(received.get(channel) ?? []), frame])),
      };
      nodes.push(node);
      started.push(node);
    }
    return started;
  }

  const framesOf = (node: Node, channel: string) => node.received.get(channel) ?? [];

  describe('bus', () => {
    it('delivers a frame to every subscribed node, the publisher included', async () => {
      const [a, b, c] = await start(3);
      for (const node of [a!, b!, c!]) await node.subscribe('ghost:topic:{news}');
      await a!.adapter.publish('ghost:topic:{news}', 'hello');
      // A later frame from the same publisher on the same channel comes after any copy of the first.
      await a!.adapter.publish('ghost:topic:{news}', 'bye');
      for (const node of [a!, b!, c!]) await waitFor(() => framesOf(node, 'ghost:topic:{news}').includes('bye'), 2000, 'the later frame');
      for (const node of [a!, b!, c!]) expect(framesOf(node, 'ghost:topic:{news}')).toEqual(['hello', 'bye']);
    });

    it('stops delivering after unsubscribe, on that node only', async () => {
      const [a, b] = await start(2);
      await a!.subscribe('ghost:topic:{t}');
      await b!.subscribe('ghost:topic:{t}');
      await b!.adapter.unsubscribe('ghost:topic:{t}');
      await a!.adapter.publish('ghost:topic:{t}', 'after');
      await waitFor(() => framesOf(a!, 'ghost:topic:{t}').length === 1, 2000, 'the frame on a');
      // Unsubscribing twice, or from a channel never subscribed, is harmless.
      await b!.adapter.unsubscribe('ghost:topic:{t}');
      await b!.adapter.unsubscribe('ghost:topic:{never}');
      // b subscribes again and gets a later frame: had 'after' reached it, it would have come first.
      await b!.subscribe('ghost:topic:{t}');
      await a!.adapter.publish('ghost:topic:{t}', 'again');
      await waitFor(() => framesOf(b!, 'ghost:topic:{t}').length > 0, 2000, 'the frame after subscribing again');
      expect(framesOf(b!, 'ghost:topic:{t}')).toEqual(['again']);
    });

    it('delivers on a channel without a hash tag too (the cluster-wide one)', async () => {
      const [a, b] = await start(2);
      await b!.subscribe('ghost:all');
      await a!.adapter.publish('ghost:all', 'everyone');
      await waitFor(() => framesOf(b!, 'ghost:all').length === 1, 2000, 'the frame');
      expect(framesOf(b!, 'ghost:all')).toEqual(['everyone']);
    });

    it('keeps channels apart', async () => {
      const [a, b] = await start(2);
      const channels = Array.from({ length: 20 }, (_, i) => `ghost:topic:{c${i}}`);
      // a listens on the even channels, b on the odd ones.
      for (const [i, channel] of channels.entries()) await (i % 2 === 0 ? a! : b!).subscribe(channel);
      await Promise.all(channels.map((channel) => a!.adapter.publish(channel, `on ${channel}`)));
      const ofParity = (parity: number) => channels.filter((_, i) => i % 2 === parity);
      // A second frame on each channel comes after any stray copy of the first on it.
      await Promise.all(channels.map((channel) => a!.adapter.publish(channel, `bye ${channel}`)));
      const subscriberOf = (i: number) => (i % 2 === 0 ? a! : b!);
      await waitFor(() => channels.every((channel, i) => framesOf(subscriberOf(i), channel).includes(`bye ${channel}`)), 2000, 'the second frames');
      expect([...a!.received.keys()].sort()).toEqual(ofParity(0).sort());
      expect([...b!.received.keys()].sort()).toEqual(ofParity(1).sort());
      for (const [channel, frames] of [...a!.received, ...b!.received]) expect(frames).toEqual([`on ${channel}`, `bye ${channel}`]);
    });

    it('keeps the order of each publisher', async () => {
      const [a, b, listener] = await start(3);
      await listener!.subscribe('ghost:chat:{order}');
      const count = 200;
      await Promise.all(
        Array.from({ length: count }, (_, i) => [
          a!.adapter.publish('ghost:chat:{order}', `a${i}`),
          b!.adapter.publish('ghost:chat:{order}', `b${i}`),
        ]).flat(),
      );
      await waitFor(() => framesOf(listener!, 'ghost:chat:{order}').length === 2 * count, 3000, `${2 * count} frames`);
      const frames = framesOf(listener!, 'ghost:chat:{order}');
      for (const publisher of ['a', 'b']) {
        expect(frames.filter((f) => f.startsWith(publisher))).toEqual(Array.from({ length: count }, (_, i) => `${publisher}${i}`));
      }
    });

    it('moves large and non-ASCII frames intact', async () => {
      const [a, b] = await start(2);
      await b!.subscribe('ghost:topic:{big}');
      const frame = JSON.stringify({ text: 'ghost 👻 żółw « » \u0000 '.repeat(4000) });
      await a!.adapter.publish('ghost:topic:{big}', frame);
      await waitFor(() => framesOf(b!, 'ghost:topic:{big}').length === 1, 2000, 'the frame');
      expect(framesOf(b!, 'ghost:topic:{big}')[0]).toBe(frame);
    });
  });

  describe('claims', () => {
    it('are exclusive across nodes and refreshed by their owner', async () => {
      const [a, b] = await start(2);
      expect(await a!.adapter.claim('chat:r:name:ada', 'conn-a', 5000)).toBe(true);
      expect(await b!.adapter.claim('chat:r:name:ada', 'conn-b', 5000)).toBe(false);
      expect(await b!.adapter.claim('chat:r:name:ada', 'conn-a', 5000)).toBe(true); // the owner, from any node
      expect(await b!.adapter.claim('chat:r:name:bob', 'conn-b', 5000)).toBe(true);
    });

    it('expire after their ttl, unless the owner refreshed them', async () => {
      const [a, b] = await start(2);
      const began = Date.now();
      expect(await a!.adapter.claim('k:short', 'a', 150)).toBe(true);
      expect(await a!.adapter.claim('k:refreshed', 'a', 300)).toBe(true);
      await waitForAsync(() => b!.adapter.claim('k:short', 'b', 5000), 3000, 'the short claim to lapse');
      expect(Date.now() - began).toBeGreaterThanOrEqual(140);
      const refreshed = Date.now();
      expect(await a!.adapter.claim('k:refreshed', 'a', 600)).toBe(true); // held 600 ms from now on
      // b gets it only once the refreshed ttl is over, not at the first one's end (300 ms after `began`).
      await waitForAsync(() => b!.adapter.claim('k:refreshed', 'b', 5000), 3000, 'the refreshed claim to lapse');
      expect(Date.now() - refreshed).toBeGreaterThanOrEqual(590);
    });

    it('are released only by their owner', async () => {
      const [a, b] = await start(2);
      await a!.adapter.claim('k', 'a', 5000);
      await b!.adapter.release('k', 'b');
      expect(await b!.adapter.claim('k', 'b', 5000)).toBe(false);
      await a!.adapter.release('k', 'a');
      expect(await b!.adapter.claim('k', 'b', 5000)).toBe(true);
      await a!.adapter.release('k', 'a'); // no longer a's: b keeps it
      expect(await a!.adapter.claim('k', 'a', 5000)).toBe(false);
      await a!.adapter.release('never-claimed', 'a');
    });

    it('go to exactly one of two nodes claiming at the same instant (50 rounds)', async () => {
      const [a, b] = await start(2);
      const winners: string[] = [];
      for (let round = 0; round < 50; round++) {
        const key = `race:${round}`;
        const [byA, byB] = await Promise.all([a!.adapter.claim(key, 'a', 5000), b!.adapter.claim(key, 'b', 5000)]);
        expect([byA, byB].filter(Boolean)).toHaveLength(1);
        winners.push(byA ? 'a' : 'b');
        // The loser really does not hold it: it cannot release it.
        await (byA ? b : a)!.adapter.release(key, byA ? 'b' : 'a');
        expect(await (byA ? b : a)!.adapter.claim(key, byA ? 'b' : 'a', 5000)).toBe(false);
      }
      expect(winners).toHaveLength(50);
    });
  });

  describe('streams', () => {
    it('number entries consecutively, without gaps or repeats, while two nodes append at once', async () => {
      const [a, b] = await start(2);
      const seqs = await Promise.all(
        Array.from({ length: 100 }, (_, i) => [a!.adapter.append('s', `a${i}`, 1000), b!.adapter.append('s', `b${i}`, 1000)]).flat(),
      );
      const first = Math.min(...seqs);
      const run = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
      expect([...seqs].sort((x, y) => x - y)).toEqual(run(first, 200));
      // Each append's seq is where range finds its entry.
      const { entries, oldestSeq } = await a!.adapter.range('s', 0, 1000);
      expect(oldestSeq).toBe(first);
      expect(entries.map(([seq]) => seq)).toEqual(run(first, 200));
      const bySeq = new Map(entries);
      const published = Array.from({ length: 100 }, (_, i) => [`a${i}`, `b${i}`]).flat();
      published.forEach((entry, i) => expect(bySeq.get(seqs[i]!)).toBe(entry));
      // Another stream counts on its own.
      const other = await b!.adapter.append('other', 'x', 10);
      expect(await a!.adapter.append('other', 'y', 10)).toBe(other + 1);
    });

    it('start a new stream above any number given out before, so a position in a lost history reads as a gap', async () => {
      const [a] = await start(1);
      const before = Date.now() * 1000;
      const first = await a!.adapter.append('fresh', 'x', 10);
      // Numbered from the current time in microseconds: a store that lost a stream, then started it
      // anew, cannot give out a number a client still holds from the old one.
      expect(first).toBeGreaterThanOrEqual(before - 5_000_000);
      expect(Number.isSafeInteger(first)).toBe(true);
    });

    it('keep only the last maxLen entries, and the numbering goes on', async () => {
      const [a] = await start(1);
      const first = await a!.adapter.append('capped', 'e1', 3);
      for (let i = 2; i <= 10; i++) await a!.adapter.append('capped', `e${i}`, 3);
      const at = (i: number) => first + i - 1;
      expect(await a!.adapter.range('capped', 0, 100)).toEqual({ entries: [[at(8), 'e8'], [at(9), 'e9'], [at(10), 'e10']], oldestSeq: at(8), lastSeq: at(10) });
      expect(await a!.adapter.append('capped', 'e11', 3)).toBe(at(11));
      expect((await a!.adapter.range('capped', 0, 100)).oldestSeq).toBe(at(9));
    });

    it('range after a seq, with a limit, and report the oldest seq still held and the newest given out', async () => {
      const [a, b] = await start(2);
      const first = await a!.adapter.append('r', JSON.stringify({ i: 1 }), 100);
      for (let i = 2; i <= 10; i++) await a!.adapter.append('r', JSON.stringify({ i }), 100);
      const at = (i: number) => first + i - 1;
      const held = { oldestSeq: at(1), lastSeq: at(10) };
      expect(await b!.adapter.range('r', at(4), 3)).toEqual({ entries: [[at(5), '{"i":5}'], [at(6), '{"i":6}'], [at(7), '{"i":7}']], ...held });
      expect(await b!.adapter.range('r', at(8), 100)).toEqual({ entries: [[at(9), '{"i":9}'], [at(10), '{"i":10}']], ...held });
      expect(await b!.adapter.range('r', at(10), 100)).toEqual({ entries: [], ...held });
      expect(await b!.adapter.range('r', at(50), 100)).toEqual({ entries: [], ...held });
      expect(await b!.adapter.range('r', 0, 0)).toEqual({ entries: [], ...held });
    });

    it('range an empty stream: none yet holds nothing up to 0, an emptied one starts after its last seq', async () => {
      const [a] = await start(1);
      expect(await a!.adapter.range('nothing', 0, 10)).toEqual({ entries: [], oldestSeq: 1, lastSeq: 0 });
      const gone = await a!.adapter.append('emptied', 'gone', 0);
      expect(await a!.adapter.append('emptied', 'gone too', 0)).toBe(gone + 1);
      expect(await a!.adapter.range('emptied', 0, 10)).toEqual({ entries: [], oldestSeq: gone + 2, lastSeq: gone + 1 });
    });

    it('let a stream lapse after ttlMs without an append, each append renewing it, and number it anew after', async () => {
      const [a, b] = await start(2);
      const ttlMs = 600;
      const first = await a!.adapter.append('idle', 'e1', 10, ttlMs);
      await a!.adapter.append('kept', 'k1', 10); // no ttl: never lapses
      await a!.adapter.append('persisted', 'p1', 10, ttlMs);
      await a!.adapter.append('persisted', 'p2', 10, Infinity); // an append without ttl clears it
      const firstAppended = Date.now();
      // Time under test: renewing well inside the ttl, so lapsing at the first append's end and at the
      // renewal's end are 400 ms apart.
      await sleep(400);
      const renewed = Date.now();
      await b!.adapter.append('idle', 'e2', 10, ttlMs); // renews: the stream now lives until ~1000 ms
      // Read until it lapses: reading does not renew, and every read before then, past the first
      // append's ttl too, finds both entries.
      const both = { entries: [[first, 'e1'], [first + 1, 'e2']], oldestSeq: first, lastSeq: first + 1 };
      let readPastFirstTtl = false;
      await waitForAsync(async () => {
        const readAt = Date.now();
        const range = await a!.adapter.range('idle', 0, 10);
        if (range.lastSeq === 0) return true;
        expect(range).toEqual(both);
        if (readAt > firstAppended + ttlMs) readPastFirstTtl = true;
        return false;
      }, 3000, 'the stream to lapse');
      expect(Date.now() - renewed).toBeGreaterThanOrEqual(ttlMs - 10);
      expect(readPastFirstTtl).toBe(true);
      // Gone like a stream never used, so a reader's old position (first + 1) is past lastSeq: a gap.
      expect(await a!.adapter.range('idle', first + 1, 10)).toEqual({ entries: [], oldestSeq: 1, lastSeq: 0 });
      expect(await a!.adapter.append('idle', 'e3', 10, ttlMs)).toBeGreaterThan(first + 1);
      expect((await b!.adapter.range('kept', 0, 10)).entries.map(([, entry]) => entry)).toEqual(['k1']);
      expect((await b!.adapter.range('persisted', 0, 10)).entries.map(([, entry]) => entry)).toEqual(['p1', 'p2']);
    });

    it('keep entries byte for byte', async () => {
      const [a] = await start(1);
      const entry = JSON.stringify({ text: '👻 — "quoted" \\ back\nslash', n: 1 });
      const seq = await a!.adapter.append('exact', entry, 10);
      expect((await a!.adapter.range('exact', seq - 1, 1)).entries).toEqual([[seq, entry]]);
    });
  });
}

describe('memoryAdapter contract', () => {
  adapterContract(() => {
    const bus = createMemoryBus();
    return () => memoryAdapter({ bus });
  });
});

describeIfRedis('redisAdapter contract', () => {
  const server = useRedisServer();
  // One redis-server for the whole suite; a prefix per test keeps their keys and channels apart.
  let cluster = 0;
  adapterContract(() => {
    const prefix = `contract${++cluster}:`;
    return () => redisAdapter({ url: server.url, prefix });
  });
});

// The hub's channels carry hash tags (`ghost:topic:{news}`): on a cluster these go on sharded pub/sub.
describeIfRedisCluster('redisAdapter contract on a Redis Cluster', () => {
  adapterContract(() => {
    const prefix = uniquePrefix('contract');
    return () => redisAdapter({ cluster: sharedRedisCluster(), prefix });
  });
});
