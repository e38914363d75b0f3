// The ways hub nodes meet in tests, behind one interface, so one cluster suite runs over all: a memory
// bus shared in this process, a real redis-server reached through a TCP proxy per node, and a real
// Redis Cluster reached through a TCP proxy per node and Redis node.
import { Redis } from 'ioredis';
import { createMemoryBus, memoryAdapter, type Adapter } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { closeAfterTest } from './cleanup.js';
import { uniquePrefix } from './redis-cluster.js';
import type { RedisServer } from './redis-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface Backplane {
  /** An adapter for a new hub node. */
  adapter(nodeId: string): Promise<Adapter>;
  /** Cuts a node off the backplane, as a network partition does; `heal` undoes every cut. */
  partition(nodeId: string): void;
  heal(): void;
  /** How many nodes are subscribed to a channel (PUBSUB NUMSUB on Redis, SHARDNUMSUB for a sharded one). */
  subscribers(channel: string): Promise<number>;
  /**
   * The shortest `nodeTimeoutMs` that a short cut heals within, and how much longer than on one Redis
   * a node takes to be heard again after a cut. A cluster client reconnects its subscribers after a
   * backoff (doubling from 200 ms to 2 s while the cut lasts) and a slot-map refresh, not at once.
   */
  minNodeTimeoutMs?: number;
}

export function memoryBackplane(): Backplane {
  const bus = createMemoryBus();
  return {
    adapter: async () => memoryAdapter({ bus }),
    partition: (nodeId) => bus.partition(nodeId),
    heal: () => bus.heal(),
    subscribers: async (channel) => bus.subscriberCount(channel),
  };
}

/** Each node reaches Redis through its own proxy, so one node alone can be cut off. */
export async function redisBackplane(server: RedisServer): Promise<Backplane> {
  const proxies = new Map<string, TcpProxy>();
  const probe = new Redis(server.url);
  closeAfterTest(async () => {
    await probe.flushall();
    probe.disconnect();
  });
  return {
    async adapter(nodeId) {
      const proxy = await startTcpProxy(server.port);
      proxies.set(nodeId, proxy);
      return redisAdapter({ url: `redis://127.0.0.1:${proxy.port}` });
    },
    partition: (nodeId) => proxies.get(nodeId)?.cut(),
    heal: () => {
      for (const proxy of proxies.values()) proxy.heal();
    },
    async subscribers(channel) {
      const [, count] = (await probe.pubsub('NUMSUB', channel)) as [string, number];
      return Number(count);
    },
  };
}

/**
 * Hub nodes on the shared Redis Cluster (`urls`), under a key prefix of their own. Each node reaches
 * every Redis node through a proxy of its own (ioredis's `natMap` sends it there), so one node alone can
 * be cut off.
 */
export async function redisClusterBackplane(urls: string[]): Promise<Backplane> {
  const prefix = uniquePrefix('backplane');
  const proxies = new Map<string, TcpProxy[]>();
  const ports = urls.map((url) => Number(new URL(url).port));
  const probes: Redis[] = [];
  const probe = (port: number) => {
    const redis = new Redis(port, '127.0.0.1');
    probes.push(redis);
    return redis;
  };
  const seed = probe(ports[0]!);
  closeAfterTest(() => {
    for (const redis of probes) redis.disconnect(); // the proxies close themselves after the test
  });
  return {
    minNodeTimeoutMs: 1500,
    async adapter(nodeId) {
      const list = await Promise.all(ports.map((port) => startTcpProxy(port)));
      proxies.set(nodeId, list);
      const natMap = Object.fromEntries(ports.map((port, i) => [`127.0.0.1:${port}`, { host: '127.0.0.1', port: list[i]!.port }]));
      return redisAdapter({ cluster: list.map((proxy) => `redis://127.0.0.1:${proxy.port}`), clusterOptions: { natMap }, prefix });
    },
    partition: (nodeId) => {
      for (const proxy of proxies.get(nodeId) ?? []) proxy.cut();
    },
    heal: () => {
      for (const list of proxies.values()) for (const proxy of list) proxy.heal();
    },
    async subscribers(channel) {
      const name = prefix + channel;
      // A sharded channel is counted on the master that owns its slot.
      const slot = Number(await seed.cluster('KEYSLOT', name));
      const [, , master] = (await seed.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to)!;
      const [, count] = (await probe(master![1]).call('PUBSUB', 'SHARDNUMSUB', name)) as [string, number];
      return Number(count);
    },
  };
}
