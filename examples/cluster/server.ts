// Seed 002 done with Ghost: several hub nodes that meet only through Redis behave as one. Two nodes
// (ports 9000 and 9001) serve the chat demo and a cursors page; a chat page, a cursor or a topic
// subscriber on either node sees everyone on both, and GET /ping1 on one node reaches both. The Redis
// is one server (REDIS_URL, or a private one) or a Redis Cluster (REDIS_CLUSTER: seed node URLs).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { redisAdapter } from '@ghost/server/redis';
import { startChatDemo } from '@ghost-examples/chat/server';
import { bundlePage, isMain, send, sendText, type Demo } from '@ghost-examples/shared/server';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** A running cluster example. */
export interface ClusterDemo {
  nodes: Demo[];
  /** The Redis URL, or the Redis Cluster's seed URLs joined by commas. */
  redisUrl: string;
  close(): Promise<void>;
}

/**
 * Starts one chat node per port (0: any free port), all on the Redis at `redisUrl`, or on the Redis
 * Cluster whose seed nodes are `redisCluster`.
 */
export async function startClusterDemo({ ports = [9000, 9001], redisUrl, redisCluster }: { ports?: number[]; redisUrl?: string; redisCluster?: string[] }): Promise<ClusterDemo> {
  let pings = 0;
  const nodes: Demo[] = [];
  const cursorsPage: Record<string, { type: string; body: string }> = {
    '/cursors': { type: 'text/html; charset=utf-8', body: await readFile(here('./public/cursors.html'), 'utf8') },
    '/cursors.css': { type: 'text/css; charset=utf-8', body: await readFile(here('./public/cursors.css'), 'utf8') },
    '/cursors.js': { type: 'text/javascript; charset=utf-8', body: await bundlePage(here('./src/cursors.ts')) },
  };
  for (const port of ports) {
    nodes.push(await startChatDemo({
      port,
      hub: { adapter: redisCluster ? redisAdapter({ cluster: redisCluster }) : redisAdapter({ url: redisUrl }), nodeId: `node-${port || nodes.length}` },
      route: (request, response, hub) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        const asset = cursorsPage[path];
        if (asset) {
          send(request, response, 200, asset.type, asset.body);
          return true;
        }
        if (path !== '/ping1') return false;
        // From any node to every socket of every node: the backplane at work.
        const ping = ++pings;
        void hub.broadcast({ ping, via: hub.nodeId }).then(() => sendText(request, response, 200, `ping ${ping} sent via ${hub.nodeId}`));
        return true;
      },
    }));
  }
  return { nodes, redisUrl: redisCluster?.join(',') ?? redisUrl ?? '', close: async () => void (await Promise.all(nodes.map((node) => node.close()))) };
}

/** Starts a private `redis-server` on a free port (no persistence); stops with this process. */
export async function startLocalRedis(): Promise<{ url: string; stop(): void }> {
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => void child.kill();
  process.once('exit', stop);
  await new Promise<void>((resolve, reject) => {
    child.once('error', () => reject(new Error('redis-server not found: apt-get install -y redis-server, or set REDIS_URL')));
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Ready to accept connections') && resolve());
  });
  return { url: `redis://127.0.0.1:${port}`, stop };
}

if (isMain(import.meta.url)) {
  const redisCluster = process.env.REDIS_CLUSTER?.split(',').filter(Boolean);
  const redis = process.env.REDIS_URL || redisCluster ? { url: process.env.REDIS_URL, stop: () => undefined } : await startLocalRedis();
  const ports = (process.env.PORTS ?? '9000,9001').split(',').map(Number);
  const cluster = await startClusterDemo({ ports, redisUrl: redis.url, redisCluster });
  console.log(`Ghost cluster on ${redisCluster ? `the Redis Cluster at ${cluster.redisUrl}` : cluster.redisUrl}:`);
  for (const node of cluster.nodes) {
    console.log(`  ${node.url}/cursors   chat: ${node.url}/lobby   ping every socket on every node: curl ${node.url}/ping1`);
  }
  const stop = () => void cluster.close().then(() => (redis.stop(), process.exit(0)));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
