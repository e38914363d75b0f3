// The hub under soak, in its own process so its RSS is its own: a default hub (memory adapter) on a
// free port. Prints `{"port":N}`, then a sample every 250 ms: RSS, open connections, the hub's count of
// bytes waiting to be sent, connections ended, and the event loop's worst delay since the last sample.
//   [SOAK_SERVER=path/to/server/src/index.ts] [SOAK_BUDGET=bytes] node --import tsx bench/soak/hub.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

// Another build of the server (an older commit's sources) can be measured the same way.
const source = process.env.SOAK_SERVER ? pathToFileURL(process.env.SOAK_SERVER).href : '@ghost/server';
const { createHub } = (await import(source)) as typeof import('@ghost/server');
const budget = process.env.SOAK_BUDGET;
// Heartbeats every 2 minutes: the readers never read, so they never answer a ping, and with the
// default 15 s the first of 5,000 were cut (after 30 s) before the last had connected.
const heartbeatMs = Number(process.env.SOAK_HEARTBEAT_MS ?? 120_000);
const hub = createHub({ heartbeatMs, ...(budget ? { limits: { maxHubBufferedBytes: Number(budget) } } : {}) });
let ended = 0;
hub.on('disconnect', () => void (ended += 1));
hub.on('error', () => undefined);
// An orderly exit, so `--cpu-prof` (SOAK_HUB_NODE_ARGS) gets written.
process.on('SIGTERM', () => process.exit(0));
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const server = http.createServer();
hub.attach(server);
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
  setInterval(() => {
    const stats = hub.stats() as ReturnType<typeof hub.stats> & { bufferedBytes?: number };
    console.log(JSON.stringify({
      rss: process.memoryUsage.rss(), open: stats.connections, buffered: stats.bufferedBytes ?? null, ended,
      loopMaxMs: Math.max(0, loop.max / 1e6 - 10),
    }));
    loop.reset();
  }, 250);
});
