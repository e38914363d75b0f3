// Chat with acks: R rooms × M users, every user sends a message at `rate` per second and waits for
// nothing (acks are counted and, on one probe per room, timed from send to ack). Every message goes to
// every member of the room, the sender included. Ghost: chat.identify first, then chat.send (stored
// in the memory store, numbered, then delivered and acked). The relays stamp the message and ack it.
import { clock, header, mergeProbes, pace, Probe, sleep, startWindow, until } from './load.js';
import { profiled, round3, withServer, type Scenario } from './scenario.js';
import { Conn, occurrences, openMany } from './wire.js';

export interface ChatConfig {
  rooms: number;
  perRoom: number;
  /** Messages per second per user. */
  rate: number;
  warmupMs: number;
  windowMs: number;
}

const NEEDLE = Buffer.from('"c|');
const ITEM = /"c\|(\d+)\|(\d+)\|([\d.]+)/g;
const SLOTS = 10;

export const chat: Scenario<ChatConfig> = {
  id: 'chat',
  title: 'Chat with acks',
  contenders: ['ws', 'socketio', 'ghost'],
  config: (quick) =>
    quick ? { rooms: 20, perRoom: 25, rate: 1, warmupMs: 1000, windowMs: 2000 } : { rooms: 20, perRoom: 25, rate: 1, warmupMs: 1500, windowMs: 2500 },
  describe: (c) => `${c.rooms} rooms × ${c.perRoom} users, each sending ${c.rate} message/s with an ack (${c.rooms * c.perRoom * c.rate} sends/s, ${c.rooms * c.perRoom * c.perRoom * c.rate} deliveries/s)`,
  run: (label, config, ctx) =>
    withServer(label, async (server, conns) => {
      const n = config.rooms * config.perRoom;
      let deliveries = 0;
      let acks = 0;
      let bytes = 0;
      const probes: Probe[] = [];
      const ackLatency: number[] = [];
      // Send times of the probes' requests, by probe and ref (refs are per connection).
      const pending = new Map<string, number>();
      const clients = await openMany(n, 100, async (i) => {
        const c = await Conn.open(label, server.url);
        conns.push(c);
        const room = `chat-${Math.floor(i / config.perRoom)}`;
        await c.join(room, 'chat', `user${i}`);
        const probe = i % config.perRoom === 0 ? new Probe() : undefined;
        if (probe) probes.push(probe);
        c.onData = (frame) => {
          bytes += frame.length + header(frame.length);
          const ref = probe ? c.ackRef(frame) : c.isAck(frame) ? 0 : undefined;
          if (ref !== undefined) {
            acks += 1;
            const sentAt = probe ? pending.get(`${i}:${ref}`) : undefined;
            if (sentAt !== undefined) {
              ackLatency.push(clock() - sentAt);
              pending.delete(`${i}:${ref}`);
            }
            return;
          }
          if (!probe) {
            deliveries += occurrences(frame, NEEDLE);
            return;
          }
          const at = clock();
          for (const m of frame.toString().matchAll(ITEM)) {
            deliveries += 1;
            probe.record(Number(m[1]), Number(m[2]), Number(m[3]), at);
          }
        };
        return { c, room, probe };
      });
      const seqs = new Uint32Array(n);
      let sent = 0;
      const sender = (k: number) => {
        for (let i = k % SLOTS; i < n; i += SLOTS) {
          const { c, room, probe } = clients[i]!;
          const t = clock();
          const ref = c.chat(room, `c|${i}|${seqs[i]!++}|${t.toFixed(2)}`);
          if (probe) pending.set(`${i}:${ref}`, t);
          sent += 1;
        }
      };
      const warm = pace(config.rate * SLOTS, sender);
      await sleep(config.warmupMs);
      warm.stop();
      await sleep(300);
      deliveries = acks = bytes = sent = 0;
      ackLatency.length = 0;
      pending.clear();
      for (const p of probes) p.reset();
      const cpu = await profiled(server, ctx, `chat-${label}`, async () => {
        const end = await startWindow([server]);
        const run = pace(config.rate * SLOTS, sender);
        await sleep(config.windowMs);
        run.stop();
        await until(() => deliveries >= sent * config.perRoom && acks >= sent, 3000);
        return end();
      });
      const s = cpu.server[0]!;
      const p = mergeProbes(probes);
      return [
        {
          case: `${config.rooms}×${config.perRoom} @ ${config.rate}/s`,
          metrics: {
            deliveriesPerSec: round3(deliveries / cpu.seconds),
            serverUsPerDelivery: round3((s.cpu * 1e6) / Math.max(1, deliveries)),
            serverUsPerSend: round3((s.cpu * 1e6) / Math.max(1, sent)),
            serverCpuShare: round3(s.cpu / cpu.seconds),
            generatorCpuShare: round3(cpu.generator / cpu.seconds),
            wireBytesPerDelivery: round3(bytes / Math.max(1, deliveries)),
            undelivered: Math.max(0, sent * config.perRoom - deliveries),
            acksMissing: Math.max(0, sent - acks),
            probeGaps: p.gaps,
            probeReordered: p.regressions,
          },
          samples: { latency: p.latency, ackLatency },
        },
      ];
    }),
};
