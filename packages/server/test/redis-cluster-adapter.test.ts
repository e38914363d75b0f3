// The ways into a Redis Cluster that the contract suite does not take: an ioredis Cluster as the client,
// and credentials given in the seed URLs.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Cluster } from 'ioredis';
import type { Adapter } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import {
  describeIfRedisCluster, sharedRedisCluster, startRedisCluster, uniquePrefix, type RedisClusterProcess,
} from '../../../test/helpers/redis-cluster.js';
import { waitFor } from '../../../test/helpers/wait.js';

const adapters: Adapter[] = [];
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((adapter) => adapter.close()));
});

async function started(adapter: Adapter, nodeId: string, errors: Error[] = []): Promise<Adapter> {
  adapters.push(adapter);
  await adapter.start({ nodeId, onError: (error) => errors.push(error) });
  return adapter;
}

/** Frames on a few channels of different slots, from `from` to `to`: each arrives once. */
async function exchange(from: Adapter, to: Adapter): Promise<void> {
  const channels = ['ghost:topic:{a}', 'ghost:chat:{b}', 'ghost:presence:{c}', 'ghost:all'];
  const got = new Map<string, string[]>();
  for (const channel of channels) await to.subscribe(channel, (frame) => got.set(channel, [...(got.get(channel) ?? []), frame]));
  for (const channel of channels) await from.publish(channel, `on ${channel}`);
  await waitFor(() => channels.every((channel) => got.get(channel)?.length === 1), 3000, 'a frame on every channel');
  for (const channel of channels) expect(got.get(channel)).toEqual([`on ${channel}`]);
}

describeIfRedisCluster('redisAdapter on a Redis Cluster', () => {
  it('takes an ioredis Cluster as its client, and leaves it open on close', async () => {
    const prefix = uniquePrefix('client');
    const seeds = sharedRedisCluster().map((url) => ({ host: '127.0.0.1', port: Number(new URL(url).port) }));
    const client = new Cluster(seeds);
    try {
      const errors: Error[] = [];
      const a = await started(redisAdapter({ client, prefix }), 'a', errors);
      const b = await started(redisAdapter({ client, prefix }), 'b', errors);
      await exchange(a, b);
      expect(await a.claim('k', 'a', 10_000)).toBe(true);
      expect(await b.claim('k', 'b', 10_000)).toBe(false);
      await a.close();
      await b.close();
      expect(client.status).toBe('ready');
      expect(await client.get(`${prefix}k`)).toBe('a');
      expect(errors).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  describeIfRedisCluster('with a password on every node', () => {
    let secured: RedisClusterProcess;
    beforeAll(async () => {
      secured = await startRedisCluster({ replicas: false, password: 's3cret/with:chars' });
    }, 60_000);
    afterAll(async () => {
      await secured?.stop();
    });

    it('takes it from a seed URL and uses it on every node it discovers', async () => {
      // One seed only: the other masters are discovered, and need the password as well.
      const seed = secured.nodes[0]!.url;
      expect(seed).toMatch(/^redis:\/\/:s3cret%2Fwith%3Achars@127\.0\.0\.1:\d+$/);
      const errors: Error[] = [];
      const a = await started(redisAdapter({ cluster: [seed] }), 'a', errors);
      const b = await started(redisAdapter({ cluster: [seed] }), 'b', errors);
      await exchange(a, b);
      const seqs = await Promise.all(['x', 'y', 'z'].map((stream) => a.append(`topic:{${stream}}:history`, 'entry', 10)));
      for (const [i, stream] of ['x', 'y', 'z'].entries()) expect((await b.range(`topic:{${stream}}:history`, 0, 10)).entries).toEqual([[seqs[i], 'entry']]);
      expect(errors).toEqual([]);
    });

    it('reports the refusal when the seed URL has no password', async () => {
      const errors: Error[] = [];
      const port = secured.nodes[0]!.port;
      await started(redisAdapter({ cluster: [`redis://127.0.0.1:${port}`] }), 'a', errors);
      await waitFor(() => errors.length > 0, 5000, 'the report');
      expect(errors[0]!.message).toMatch(/NOAUTH|auth/i);
    });
  });
});
