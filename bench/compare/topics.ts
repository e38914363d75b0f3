// Many small topics: T topics × S subscribers; the first subscriber of each topic publishes to it at
// `rate` per second (and gets its own message back, on every stack). Ingest is a large share of the
// work here: one publish per S deliveries.
import { clock, header, mergeProbes, pace, Probe, sleep, stamp, startWindow, until } from './load.js';
import { profiled, round3, withServer, type Scenario } from './scenario.js';
import { Conn, newTotals, openMany } from './wire.js';

export interface TopicsConfig {
  topics: number;
  perTopic: number;
  rate: number;
  probes: number;
  warmupMs: number;
  windowMs: number;
}

const NEEDLE = Buffer.from('{"n":');
const ITEM = /\{"n":(\d+),"t":([\d.]+)/g;
const SLOTS = 10;

export const topics: Scenario<TopicsConfig> = {
  id: 'topics',
  title: 'Many small topics',
  contenders: ['ws', 'ws-coalesced', 'socketio', 'ghost'],
  config: (quick) =>
    quick
      ? { topics: 250, perTopic: 4, rate: 20, probes: 25, warmupMs: 500, windowMs: 1500 }
      : { topics: 250, perTopic: 4, rate: 20, probes: 25, warmupMs: 1000, windowMs: 2000 },
  describe: (c) => `${c.topics} topics × ${c.perTopic} subscribers, one publisher per topic at ${c.rate} msg/s (${c.topics * c.rate} publishes/s in, ${c.topics * c.rate * c.perTopic} deliveries/s out)`,
  run: (label, config, ctx) =>
    withServer(label, async (server, conns) => {
      const n = config.topics * config.perTopic;
      const totals = newTotals();
      let decoded = 0;
      let probeBytes = 0;
      const probes: Probe[] = [];
      const clients = await openMany(n, 100, async (i) => {
        const c = await Conn.open(label, server.url);
        conns.push(c);
        const topic = `t-${Math.floor(i / config.perTopic)}`;
        await c.join(topic, 'topic');
        // The second subscriber of the first `probes` topics decodes.
        if (i % config.perTopic === 1 && probes.length < config.probes) {
          const probe = new Probe();
          probes.push(probe);
          c.onData = (frame) => {
            probeBytes += frame.length + header(frame.length);
            const at = clock();
            for (const m of frame.toString().matchAll(ITEM)) {
              decoded += 1;
              probe.record(0, Number(m[1]), Number(m[2]), at);
            }
          };
        } else c.count(totals, NEEDLE);
        return { c, topic };
      });
      const seqs = new Uint32Array(config.topics);
      let sent = 0;
      const publisher = (k: number) => {
        for (let t = k % SLOTS; t < config.topics; t += SLOTS) {
          clients[t * config.perTopic]!.c.publish(`t-${t}`, `{"n":${seqs[t]!++},"t":${stamp()},"text":"hello"}`);
          sent += 1;
        }
      };
      const warm = pace(config.rate * SLOTS, publisher);
      await sleep(config.warmupMs);
      warm.stop();
      await sleep(300);
      Object.assign(totals, newTotals());
      decoded = probeBytes = sent = 0;
      for (const p of probes) p.reset();
      const cpu = await profiled(server, ctx, `topics-${label}`, async () => {
        const end = await startWindow([server]);
        const run = pace(config.rate * SLOTS, publisher);
        await sleep(config.windowMs);
        run.stop();
        await until(() => totals.hits + decoded >= sent * config.perTopic, 2000);
        return end();
      });
      const s = cpu.server[0]!;
      const p = mergeProbes(probes);
      const deliveries = totals.hits + decoded;
      const bytes = totals.bytes + probeBytes;
      return [
        {
          case: `${config.topics}×${config.perTopic} @ ${config.rate}/s`,
          metrics: {
            deliveriesPerSec: round3(deliveries / cpu.seconds),
            serverUsPerDelivery: round3((s.cpu * 1e6) / Math.max(1, deliveries)),
            serverUserUsPerDelivery: round3((s.user * 1e6) / Math.max(1, deliveries)),
            serverUsPerPublish: round3((s.cpu * 1e6) / Math.max(1, sent)),
            serverCpuShare: round3(s.cpu / cpu.seconds),
            generatorCpuShare: round3(cpu.generator / cpu.seconds),
            wireBytesPerDelivery: round3(bytes / Math.max(1, deliveries)),
            undelivered: Math.max(0, sent * config.perTopic - deliveries),
            probeGaps: p.gaps,
            probeReordered: p.regressions,
          },
          samples: { latency: p.latency },
        },
      ];
    }),
};
