// Idle memory per connection: open K connections (handshake done, nothing joined), then the server's
// RSS and heap after a full GC, against the same after one connection. Also the server's CPU per
// connection opened. Ghost once more at `capacity` connections: it must hold them in one process.
import { procRss } from './server-handle.js';
import { sleep, startWindow } from './load.js';
import { round3, withServer, type CaseResult, type Label, type Scenario } from './scenario.js';
import { Conn, openMany } from './wire.js';

export interface MemoryConfig {
  connections: number;
  concurrency: number;
  /** Ghost only, last repetition only: this many connections in one process. */
  capacity: number;
}

async function measure(label: Label, count: number, concurrency: number): Promise<CaseResult['metrics']> {
  return withServer(label, async (server, conns) => {
    // One connection first, so code loaded lazily is not counted per connection.
    conns.push(await Conn.open(label, server.url));
    await sleep(200);
    const before = await server.gcMemory();
    const rssBefore = procRss(server.pid) ?? before.rss;
    const end = await startWindow([server]);
    const t0 = performance.now();
    const opened = await openMany(count, concurrency, () => Conn.open(label, server.url).then((c) => (conns.push(c), c)));
    const openSec = (performance.now() - t0) / 1000;
    const cpu = await end();
    await sleep(500);
    const after = await server.gcMemory();
    const rssAfter = procRss(server.pid) ?? after.rss;
    const usage = await server.usage();
    const kib = (bytes: number) => round3(bytes / 1024 / count);
    const all = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external + m.arrayBuffers;
    return {
      connections: opened.length,
      serverCounted: usage.connections - 1,
      openSec: round3(openSec),
      rssKiBPerConnection: kib(rssAfter - rssBefore),
      heapKiBPerConnection: kib(after.heapUsed - before.heapUsed),
      heapAndBuffersKiBPerConnection: kib(all(after) - all(before)),
      serverCpuUsPerConnection: round3((cpu.server[0]!.cpu * 1e6) / count),
      serverRssMiB: round3(rssAfter / 2 ** 20),
    };
  });
}

export const memory: Scenario<MemoryConfig> = {
  id: 'memory',
  title: 'Idle memory per connection',
  contenders: ['ws', 'socketio', 'ghost'],
  config: (quick) => (quick ? { connections: 2000, concurrency: 100, capacity: 3000 } : { connections: 10_000, concurrency: 200, capacity: 15_000 }),
  describe: (c) => `${c.connections.toLocaleString('en-US')} idle connections (${c.concurrency} opening at a time); Ghost also at ${c.capacity.toLocaleString('en-US')} once`,
  async run(label, config, ctx) {
    const out: CaseResult[] = [{ case: `${config.connections} connections`, metrics: await measure(label, config.connections, config.concurrency) }];
    if (label === 'ghost' && ctx.rep === 1) out.push({ case: `${config.capacity} connections (Ghost capacity)`, metrics: await measure(label, config.capacity, config.concurrency) });
    return out;
  },
};
