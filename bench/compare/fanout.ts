// Topic fan-out: one topic, N subscribers, one publisher at fixed rates (each rate one measured window,
// after one warm-up), evenly spaced or arriving in bursts (the same rate, `burst` publishes at a time:
// what a server that writes each frame on its own pays for, and one that batches a turn's writes saves). Payload {"n":seq,"t":stamp,"text":"hello"}. Cheap subscribers count deliveries
// (`{"n":` occurrences: a coalesced frame carries several) and bytes; probes decode n and t.
import { clock, header, mergeProbes, pace, Probe, sleep, stamp, startWindow, until } from './load.js';
import { profiled, round3, withServer, type CaseResult, type Scenario } from './scenario.js';
import { Conn, newTotals, openMany } from './wire.js';

export interface FanoutConfig {
  subscribers: number;
  probes: number;
  /** Publishes per second, and how many arrive together (1: evenly spaced). */
  cases: { rate: number; burst: number }[];
  warmupMs: number;
  windowMs: number;
}

const TOPIC = 'news';
const CASES = [
  { rate: 20, burst: 1 },
  { rate: 100, burst: 1 },
  { rate: 100, burst: 10 },
];
/** `100 msg/s`, or `100 msg/s in bursts of 10`: the name reports and targets know a case by. */
export const caseName = ({ rate, burst }: { rate: number; burst: number }) => (burst > 1 ? `${rate} msg/s in bursts of ${burst}` : `${rate} msg/s`);
const NEEDLE = Buffer.from('{"n":');
const ITEM = /\{"n":(\d+),"t":([\d.]+)/g;

export const fanout: Scenario<FanoutConfig> = {
  id: 'fanout',
  title: 'Topic fan-out',
  contenders: ['ws', 'ws-coalesced', 'socketio', 'ghost'],
  config: (quick) =>
    quick
      ? { subscribers: 1000, probes: 10, cases: CASES, warmupMs: 500, windowMs: 1500 }
      : { subscribers: 1000, probes: 10, cases: CASES, warmupMs: 1000, windowMs: 2000 },
  describe: (c) => `1 topic, ${c.subscribers} subscribers (${c.probes} probes), 1 publisher at ${c.cases.map(caseName).join(', ')}, ${c.windowMs / 1000} s window each`,
  run: (label, config, ctx) =>
    withServer(label, async (server, conns) => {
      // Cheap subscribers count into `totals`; probes decode and count into `decoded`.
      const totals = newTotals();
      let decoded = 0;
      let probeBytes = 0;
      let probeFrames = 0;
      const delivered = () => totals.hits + decoded;
      const probes = Array.from({ length: config.probes }, () => new Probe());
      const subs = await openMany(config.subscribers, 100, async (i) => {
        const c = await Conn.open(label, server.url);
        conns.push(c);
        await c.join(TOPIC, 'topic');
        const probe = probes[i];
        if (!probe) c.count(totals, NEEDLE);
        else {
          c.onData = (frame) => {
            probeFrames += 1;
            probeBytes += frame.length + header(frame.length);
            const at = clock();
            for (const m of frame.toString().matchAll(ITEM)) {
              decoded += 1;
              probe.record(0, Number(m[1]), Number(m[2]), at);
            }
          };
        }
        return c;
      });
      const publisher = await Conn.open(label, server.url);
      conns.push(publisher);
      let seq = 0;
      const send = () => publisher.publish(TOPIC, `{"n":${seq++},"t":${stamp()},"text":"hello"}`);
      const warm = pace(config.cases[0]!.rate, send);
      await sleep(config.warmupMs);
      warm.stop();
      await sleep(300);

      const out: CaseResult[] = [];
      for (const { rate, burst } of config.cases) {
        Object.assign(totals, newTotals());
        decoded = probeBytes = probeFrames = 0;
        for (const p of probes) p.reset();
        const end = await startWindow([server]);
        const firstSeq = seq;
        const cpu = await profiled(server, ctx, `fanout-${rate}${burst > 1 ? `x${burst}` : ''}-${label}`, async () => {
          const run = pace(rate / burst, () => {
            for (let k = 0; k < burst; k++) send();
          });
          await sleep(config.windowMs);
          run.stop();
          const sent = seq - firstSeq;
          // Drain: every delivery of the window counts, and the server's CPU for it too.
          await until(() => delivered() >= sent * subs.length, 2000);
          return { ...(await end()), sent };
        });
        const sent = seq - firstSeq;
        const expected = sent * subs.length;
        const p = mergeProbes(probes);
        const s = cpu.server[0]!;
        const deliveries = delivered();
        const bytes = totals.bytes + probeBytes;
        const frames = totals.frames + probeFrames;
        // Deliveries still missing 2 s after the window: lost, or stuck behind an overloaded server or generator.
        out.push({
          case: caseName({ rate, burst }),
          metrics: {
            deliveriesPerSec: round3(deliveries / cpu.seconds),
            serverUsPerDelivery: round3((s.cpu * 1e6) / Math.max(1, deliveries)),
            serverUserUsPerDelivery: round3((s.user * 1e6) / Math.max(1, deliveries)),
            serverCpuShare: round3(s.cpu / cpu.seconds),
            generatorCpuShare: round3(cpu.generator / cpu.seconds),
            wireBytesPerDelivery: round3(bytes / Math.max(1, deliveries)),
            framesPerDelivery: round3(frames / Math.max(1, deliveries)),
            undelivered: Math.max(0, expected - deliveries),
            probeGaps: p.gaps,
            probeReordered: p.regressions,
            probeDuplicates: p.duplicates,
          },
          samples: { latency: p.latency },
        });
      }
      return out;
    }),
};
