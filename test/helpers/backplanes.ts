// The two ways hub nodes meet in tests, behind one interface, so one cluster suite runs over both:
// a memory bus shared in this process, and a real redis-server reached through a TCP proxy per node.
import { Redis } from 'ioredis';
import { createMemoryBus, memoryAdapter, type Adapter } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { closeAfterTest } from './cleanup.js';
import type { RedisServer } from './redis-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface Backplane {
  /** An adapter for a new hub node. */
  adapter(nodeId: string): Promise<Adapter>;
  /** Cuts a node off the backplane, as a network partition does; `heal` undoes every cut. */
  partition(nodeId: string): void;
  heal(): void;
  /** How many nodes are subscribed to a channel (PUBSUB NUMSUB on Redis). */
  subscribers(channel: string): Promise<number>;
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
