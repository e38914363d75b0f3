// One hub node of the scale bench: a plain `createHub` + `hub.attach` on Redis (one server or a
// cluster), default options, in its own process, driven by the orchestrator over IPC.
//
//   (spawned by run.ts) [taskset -c 0] node --expose-gc --import tsx bench/scale/hub.ts '<HubConfig JSON>'
//
// Requests (answered with the same id): `stats` (hub.stats() and event-loop delay since the last
// `stats`), `gc` (full GC, so RSS is read without garbage), `close`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHub } from '@ghost/server';
import { redisAdapter, type RedisAdapterOptions } from '@ghost/server/redis';

export interface HubConfig {
  nodeId: string;
  redis: { mode: 'single' | 'cluster'; urls: string[] };
}

interface Request {
  id: number;
  cmd: 'stats' | 'gc' | 'close';
}

const config = JSON.parse(process.argv[2] ?? '{}') as HubConfig;
if (!config.redis || !process.send) {
  console.error('usage: spawned by bench/scale/run.ts with an IPC channel');
  process.exit(2);
}
const send = (message: unknown) => process.send!(message);
process.on('disconnect', () => process.exit(0));

const adapterOptions: RedisAdapterOptions = config.redis.mode === 'cluster' ? { cluster: config.redis.urls } : { url: config.redis.urls[0]! };
const hub = createHub({ adapter: redisAdapter(adapterOptions), nodeId: config.nodeId });
const errors = new Map<string, number>();
// A lost Redis link repeats the same error many times a second: count them, print each kind once.
hub.on('error', (error) => {
  const n = (errors.get(error.message) ?? 0) + 1;
  errors.set(error.message, n);
  if (n === 1) console.error(`[hub ${config.nodeId}] ${error.message}`);
});

const server = http.createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
hub.attach(server, { path: '/ghost' });
// Thousands of clients connect at once: a long accept queue.
await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

send({ ready: true, port: (server.address() as AddressInfo).port, pid: process.pid });

process.on('message', (request: Request) => {
  void handle(request).then(
    (result) => send({ id: request.id, ok: true, result }),
    (error: Error) => send({ id: request.id, ok: false, error: String(error?.stack ?? error) }),
  );
});

async function handle(request: Request): Promise<unknown> {
  switch (request.cmd) {
    case 'stats': {
      const lag = { p50Ms: delay.percentile(50) / 1e6, p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 };
      delay.reset();
      return { hub: hub.stats(), lag, errors: Object.fromEntries(errors), memory: process.memoryUsage() };
    }
    case 'gc': {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      return process.memoryUsage();
    }
    case 'close':
      await Promise.race([hub.close(), new Promise((r) => setTimeout(r, 5000))]);
      server.closeAllConnections();
      setImmediate(() => process.exit(0));
      return null;
    default:
      throw new Error(`unknown request ${String(request.cmd)}`);
  }
}
