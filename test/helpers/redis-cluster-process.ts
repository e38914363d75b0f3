// Spawning a throwaway Redis Cluster (three masters, one replica each) on free loopback ports: no test
// runner needed, so the failover benchmark uses it too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, INSTALL_REDIS, redisAvailable, spawnRedis, terminate } from './redis-process.js';

export interface RedisClusterNode {
  port: number;
  /** redis://127.0.0.1:PORT */
  url: string;
}

/** A Redis Cluster of separate `redis-server` processes that a test can kill and reshard. */
export interface RedisClusterProcess {
  /** Every node, as seed URLs for a client. */
  urls: string[];
  nodes: RedisClusterNode[];
  /** The node (master) that serves `slot` now, as a live node sees it. */
  masterOf(slot: number): Promise<RedisClusterNode>;
  /** The current masters. */
  masters(): Promise<RedisClusterNode[]>;
  /** SIGKILLs a node (a crash) and waits until the process is gone. */
  kill(node: RedisClusterNode): Promise<void>;
  /**
   * Waits until the cluster is whole again without the killed nodes: every slot served by a live
   * master, `cluster_state:ok` on every live node.
   */
  settled(timeoutMs?: number): Promise<void>;
  /**
   * Moves one slot to another master the way `redis-cli --cluster reshard` does: IMPORTING on the
   * target, MIGRATING on the source, MIGRATE of its keys, then SETSLOT NODE everywhere.
   */
  moveSlot(slot: number, to: RedisClusterNode): Promise<void>;
  /** Stops every node and removes the working directory. */
  stop(): Promise<void>;
}

/** Whether both `redis-server` and `redis-cli` are on PATH (checked once). */
export function redisClusterAvailable(): boolean {
  available ??= redisAvailable() && spawnSync('redis-cli', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}
let available: boolean | undefined;

export { INSTALL_REDIS };

/**
 * Starts `masters` masters with one replica each (`--cluster-node-timeout 2000`, no persistence), each
 * in its own config file, and waits for `cluster_state:ok` on every node.
 */
export async function startRedisCluster(masters = 3): Promise<RedisClusterProcess> {
  if (!redisClusterAvailable()) throw new Error(`redis-server and redis-cli are not on PATH: ${INSTALL_REDIS}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'ghost-redis-cluster-'));
  const children = new Map<number, ChildProcess>();
  const stop = async () => {
    await Promise.all([...children.values()].map((child) => terminate(child, 'SIGKILL')));
    children.clear();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const nodes: RedisClusterNode[] = [];
    for (let i = 0; i < masters * 2; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      const child = await spawnRedis(port, [
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-port', String(busPort),
        '--cluster-node-timeout', '2000', '--dir', dir, '--repl-diskless-sync-delay', '0',
      ]);
      children.set(port, child);
      nodes.push({ port, url: `redis://127.0.0.1:${port}` });
    }
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes']);
    const cluster = clusterOf(nodes, children, stop);
    await cluster.settled();
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}

function clusterOf(nodes: RedisClusterNode[], children: Map<number, ChildProcess>, stop: () => Promise<void>): RedisClusterProcess {
  const alive = () => nodes.filter((n) => children.has(n.port));
  const byPort = (port: number) => nodes.find((n) => n.port === port)!;
  /** `CLUSTER SLOTS` from the first live node that answers: [start, end, [host, port, id], ...replicas]. */
  const slots = () => ask(alive(), (r) => r.cluster('SLOTS'));
  const idOf = (node: RedisClusterNode) => withNode(node, async (r) => String(await r.cluster('MYID')));

  const cluster: RedisClusterProcess = {
    urls: nodes.map((n) => n.url),
    nodes,
    async masterOf(slot) {
      const range = (await slots()).find(([start, end]) => slot >= start && slot <= end);
      if (!range) throw new Error(`slot ${slot} is not served`);
      return byPort(Number(range[2]?.[1]));
    },
    async masters() {
      const ports = new Set((await slots()).map((range) => Number(range[2]?.[1])));
      return [...ports].map(byPort);
    },
    async kill(node) {
      const child = children.get(node.port);
      children.delete(node.port);
      if (child) await terminate(child, 'SIGKILL');
    },
    async settled(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        const views = await Promise.all(alive().map((n) => withNode(n, viewOf).catch((error: unknown) => ({ error: String(error) }))));
        last = JSON.stringify(views);
        const first = views[0];
        const whole = (v: (typeof views)[number]): v is View => !('error' in v) && v.ok && v.linkUp && v.covered === 16384;
        // Every live node: ok, synced with its master, and all of them agreeing on who serves what,
        // with every master alive and every other live node its replica.
        if (first && views.every(whole) && views.every((v) => (v as View).map === (first as View).map)) {
          const { masters, replicas } = first as View;
          if (masters.every((port) => children.has(port)) && masters.length + replicas === alive().length) return;
        }
        if (Date.now() > deadline) throw new Error(`Redis Cluster not settled after ${timeoutMs} ms: ${last}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async moveSlot(slot, to) {
      const from = await cluster.masterOf(slot);
      if (from.port === to.port) return;
      const [fromId, toId] = await Promise.all([idOf(from), idOf(to)]);
      await withNode(to, (r) => r.cluster('SETSLOT', slot, 'IMPORTING', fromId));
      await withNode(from, async (r) => {
        await r.cluster('SETSLOT', slot, 'MIGRATING', toId);
        for (;;) {
          const keys = (await r.cluster('GETKEYSINSLOT', slot, 100)) as string[];
          if (keys.length === 0) break;
          await r.migrate('127.0.0.1', to.port, '', 0, 5000, 'KEYS', ...keys);
        }
      });
      // The target first, then the source, then everyone else: the order redis-cli uses.
      await withNode(to, (r) => r.cluster('SETSLOT', slot, 'NODE', toId));
      await withNode(from, (r) => r.cluster('SETSLOT', slot, 'NODE', toId));
      for (const other of await cluster.masters()) {
        if (other.port !== to.port && other.port !== from.port) await withNode(other, (r) => r.cluster('SETSLOT', slot, 'NODE', toId));
      }
    },
    stop,
  };
  return cluster;
}

interface View {
  ok: boolean;
  /** A replica's link to its master is up (true on a master). */
  linkUp: boolean;
  covered: number;
  /** Who serves each slot range, as one comparable string. */
  map: string;
  masters: number[];
  replicas: number;
}

async function viewOf(redis: Redis): Promise<View> {
  const [info, replication, slots] = await Promise.all([
    redis.cluster('INFO') as Promise<string>,
    redis.info('replication'),
    redis.cluster('SLOTS'),
  ]);
  const ranges = slots.map(([start, end, master, ...replicas]) => [start, end, master?.[1], replicas.map((r) => r[1]).sort()] as const);
  ranges.sort((x, y) => x[0] - y[0]);
  return {
    ok: info.includes('cluster_state:ok'),
    linkUp: !replication.includes('role:slave') || replication.includes('master_link_status:up'),
    covered: ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0),
    map: JSON.stringify(ranges),
    masters: [...new Set(ranges.map((r) => Number(r[2])))],
    replicas: new Set(ranges.flatMap((r) => r[3])).size,
  };
}

/** Runs `fn` on a short-lived connection to one node. */
async function withNode<T>(node: RedisClusterNode, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(node.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** The first answer of `fn` from any of `nodes`. */
async function ask<T>(nodes: RedisClusterNode[], fn: (redis: Redis) => Promise<T>): Promise<T> {
  let last: unknown = new Error('no live node');
  for (const node of nodes) {
    try {
      return await withNode(node, fn);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}
