// One slow consumer in a busy room (issue #7: one stalled client in a room of 200 leaves the others'
// latency unchanged). One topic, 200 subscribers, a publisher at `rate` msg/s of ~`payloadBytes`.
// First window: everyone reads. Then one subscriber stops reading from TCP (its socket is paused: the
// kernel buffers fill, then the server's), and a second window measures the healthy probes again.
// Server memory after a full GC at the end of each window; for ws and Socket.IO also the bytes
// waiting in userland for the sockets, for Ghost whether it counted the client as slow or dropped it.
import type { Socket } from 'node:net';
import { clock, mergeProbes, pace, Probe, sleep, stamp, startWindow } from './load.js';
import { procRss } from './server-handle.js';
import { round3, withServer, type CaseResult, type Scenario } from './scenario.js';
import { Conn, newTotals, openMany } from './wire.js';

export interface SlowConfig {
  subscribers: number;
  probes: number;
  rate: number;
  payloadBytes: number;
  warmupMs: number;
  windowMs: number;
  /** How long the client has been stalled when the second window starts. */
  stallLeadMs: number;
}

const TOPIC = 'busy';
const NEEDLE = Buffer.from('{"n":');
const ITEM = /\{"n":(\d+),"t":([\d.]+)/g;

export const slowConsumer: Scenario<SlowConfig> = {
  id: 'slow-consumer',
  title: 'One stalled client in a busy room',
  contenders: ['ws', 'socketio', 'ghost'],
  config: (quick) =>
    quick
      ? { subscribers: 200, probes: 20, rate: 50, payloadBytes: 16_384, warmupMs: 500, windowMs: 1500, stallLeadMs: 3000 }
      : { subscribers: 200, probes: 20, rate: 50, payloadBytes: 16_384, warmupMs: 1000, windowMs: 2000, stallLeadMs: 5000 },
  describe: (c) =>
    `1 topic, ${c.subscribers} subscribers (${c.probes} probes), ${c.rate} msg/s of ${c.payloadBytes} bytes; ${c.windowMs / 1000} s window without, then one subscriber stops reading (${c.stallLeadMs / 1000} s lead, ${c.windowMs / 1000} s window)`,
  run: (label, config) =>
    withServer(label, async (server, conns) => {
      const probes = Array.from({ length: config.probes }, () => new Probe());
      const totals = newTotals();
      const subs = await openMany(config.subscribers, 100, async (i) => {
        const c = await Conn.open(label, server.url);
        conns.push(c);
        await c.join(TOPIC, 'topic');
        const probe = probes[i];
        if (!probe) c.count(totals, NEEDLE);
        else {
          c.onData = (frame) => {
            const at = clock();
            for (const m of frame.toString().matchAll(ITEM)) probe.record(0, Number(m[1]), Number(m[2]), at);
          };
        }
        return c;
      });
      const publisher = await Conn.open(label, server.url);
      conns.push(publisher);
      const pad = JSON.stringify('x'.repeat(config.payloadBytes));
      let seq = 0;
      const run = pace(config.rate, () => publisher.publish(TOPIC, `{"n":${seq++},"t":${stamp()},"text":${pad}}`));
      const out: CaseResult[] = [];
      try {
        await sleep(config.warmupMs);
        const phase = async (name: string) => {
          for (const p of probes) p.reset();
          const end = await startWindow([server]);
          await sleep(config.windowMs);
          const cpu = await end();
          const p = mergeProbes(probes);
          const mem = await server.gcMemory();
          const usage = await server.usage();
          return { name, cpu, p, mem, rss: procRss(server.pid) ?? mem.rss, usage };
        };
        const healthy = await phase('without');
        // Stop reading from TCP: the kernel's buffers fill, then the server's.
        const stalled = subs[subs.length - 1]!;
        let closedByServer: number | undefined;
        void stalled.closed.then((code) => (closedByServer = code));
        (stalled.ws as unknown as { _socket: Socket })._socket.pause();
        await sleep(config.stallLeadMs);
        const slow = await phase('with');
        const allBytes = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external + m.arrayBuffers;
        for (const ph of [healthy, slow]) {
          out.push({
            case: ph.name === 'without' ? 'no stalled client' : 'one stalled client',
            metrics: {
              serverCpuShare: round3(ph.cpu.server[0]!.cpu / ph.cpu.seconds),
              generatorCpuShare: round3(ph.cpu.generator / ph.cpu.seconds),
              probeGaps: ph.p.gaps,
              probeReordered: ph.p.regressions,
              serverRssMiB: round3(ph.rss / 2 ** 20),
              serverHeapAndBuffersMiB: round3(allBytes(ph.mem) / 2 ** 20),
              // Growth since the window without the stalled client: what the server holds for it.
              ...(ph === slow
                ? {
                    stalledServerMiB: round3((allBytes(slow.mem) - allBytes(healthy.mem)) / 2 ** 20),
                    stalledRssGrowthMiB: round3((slow.rss - healthy.rss) / 2 ** 20),
                    ...(slow.usage.buffered !== undefined ? { userlandBufferedMiB: round3(slow.usage.buffered / 2 ** 20) } : {}),
                    serverDroppedStalled: slow.usage.connections < healthy.usage.connections ? 1 : 0,
                  }
                : {}),
            },
            samples: { latency: ph.p.latency },
            info: { extra: ph.usage.extra, closedByServer },
          });
        }
      } finally {
        run.stop();
      }
      return out;
    }),
};
