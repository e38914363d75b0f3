// Two hub processes (A and B, both on the server core) on one throwaway redis-server (on the
// generator's core): Socket.IO with @socket.io/redis-adapter against Ghost with redisAdapter.
//
// Phases, one after another on the same processes, each with its own window:
//   idle      nothing moves: each node's baseline CPU and Redis PUBLISHes/s (heartbeats)
//   local     rooms whose members are all on A move at 30 Hz: what B spends on rooms it has no members in
//   spanning  rooms with half their members on each node move at 30 Hz: Redis PUBLISHes per room per s
//   publish   a client on A publishes to a topic whose subscribers are all on B: A's CPU per publish
// Cursor moves are relayed per update by Socket.IO (`socket.to(room).emit`) and coalesced by Ghost.
import { Redis } from 'ioredis';
import { clock, mergeProbes, pace, Probe, sleep, stamp, startWindow, until } from './load.js';
import { startServer, type ServerHandle } from './server-handle.js';
import { contenderOf, profiled, round3, type CaseResult, type Ctx, type Label, type Scenario } from './scenario.js';
import { Conn, newTotals, openMany } from './wire.js';

export interface RedisConfig {
  rooms: number;
  perRoom: number;
  hz: number;
  subscribers: number;
  publishRate: number;
  warmupMs: number;
  /**
   * Publishes before the publish window opens. Longer than the other phases' warm-up: the publish path
   * is new to both processes at this point, and measured in 3 s windows from its start, either
   * contender's CPU per publish fell by half before it settled (JIT compilation on the main thread and
   * V8's helper threads), more than the difference between them.
   */
  publishWarmupMs: number;
  windowMs: number;
}

const NEEDLE = Buffer.from('{"m":');
const ITEM = /\{"n":(\d+),"t":([\d.]+)/g;
const SLOTS = 8;

export const redisCluster: Scenario<RedisConfig> = {
  id: 'redis',
  title: 'Two hub processes over Redis',
  contenders: ['socketio-redis', 'ghost-redis'],
  config: (quick) =>
    quick
      ? { rooms: 8, perRoom: 10, hz: 30, subscribers: 20, publishRate: 500, warmupMs: 500, publishWarmupMs: 3000, windowMs: 1500 }
      : { rooms: 8, perRoom: 10, hz: 30, subscribers: 20, publishRate: 500, warmupMs: 1000, publishWarmupMs: 8000, windowMs: 2000 },
  describe: (c) =>
    `nodes A and B; ${c.rooms} rooms × ${c.perRoom} members on A only, then ${c.rooms} rooms split over A and B, moving at ${c.hz} Hz; then ${c.publishRate} publishes/s on A to a topic with ${c.subscribers} subscribers on B only, measured after ${c.publishWarmupMs / 1000} s of them`,
  run: (label, config, ctx) => runCluster(label, config, ctx),
};

async function runCluster(label: Label, config: RedisConfig, ctx: Ctx): Promise<CaseResult[]> {
  const redis = await ctx.redis!();
  const servers: ServerHandle[] = [];
  const conns: Conn[] = [];
  const probe = new Redis(redis.url);
  try {
    const contender = contenderOf(label);
    servers.push(await startServer({ contender, redisUrl: redis.url, nodeId: 'A' }), await startServer({ contender, redisUrl: redis.url, nodeId: 'B' }));
    const [a, b] = servers as [ServerHandle, ServerHandle];
    const publishes = async () => Number(/cmdstat_publish:calls=(\d+)/.exec(await probe.info('commandstats'))?.[1] ?? 0);
    const n = config.rooms * config.perRoom;
    const totals = newTotals();
    const open = async (server: ServerHandle, room: string, kind: 'cursor' | 'topic') => {
      const c = await Conn.open(contender, server.url);
      conns.push(c);
      await c.join(room, kind);
      return c;
    };
    const local = await openMany(n, 50, (i) => open(a, `local-${Math.floor(i / config.perRoom)}`, 'cursor'));
    const spanning = await openMany(n, 50, async (i) => {
      const c = await open(i % 2 ? b : a, `span-${Math.floor(i / config.perRoom)}`, 'cursor');
      c.count(totals, NEEDLE);
      return c;
    });
    const probes = Array.from({ length: config.subscribers }, () => new Probe());
    let topicDeliveries = 0;
    await openMany(config.subscribers, 20, async (i) => {
      const c = await open(b, 'remote', 'topic');
      c.onData = (frame) => {
        const at = clock();
        for (const m of frame.toString().matchAll(ITEM)) {
          topicDeliveries += 1;
          probes[i]!.record(0, Number(m[1]), Number(m[2]), at);
        }
      };
      return c;
    });
    const publisher = await Conn.open(contender, a.url);
    conns.push(publisher);
    await sleep(1000); // cluster settles: Ghost nodes hear each other's heartbeats, syncs are done

    const mover = (list: Conn[], prefix: string) => {
      const seqs = new Uint32Array(list.length);
      return pace(config.hz * SLOTS, (k) => {
        for (let i = k % SLOTS; i < list.length; i += SLOTS) {
          list[i]!.move(`${prefix}-${Math.floor(i / config.perRoom)}`, `{"m":${i},"n":${seqs[i]!++},"t":${stamp()},"x":0.5,"y":0.5}`);
        }
      });
    };
    const window = async () => {
      const p0 = await publishes();
      const end = await startWindow(servers);
      await sleep(config.windowMs);
      const cpu = await end();
      return { cpu, publishesPerSec: ((await publishes()) - p0) / cpu.seconds };
    };
    const out: CaseResult[] = [];
    const share = (cpu: Awaited<ReturnType<typeof window>>['cpu'], i: number) => cpu.server[i]!.cpu / cpu.seconds;

    const idle = await window();
    out.push({
      case: 'idle',
      metrics: { aCpuShare: round3(share(idle.cpu, 0)), bCpuShare: round3(share(idle.cpu, 1)), redisPublishesPerSec: round3(idle.publishesPerSec) },
    });

    let run = mover(local, 'local');
    await sleep(config.warmupMs);
    const loc = await window();
    run.stop();
    out.push({
      case: 'rooms on A only',
      metrics: {
        aCpuShare: round3(share(loc.cpu, 0)),
        bCpuShare: round3(share(loc.cpu, 1)),
        // What B spends on rooms it has no member in, above its idle baseline, in ms per second.
        bCpuMsPerSecForRoomsElsewhere: round3(Math.max(0, share(loc.cpu, 1) - share(idle.cpu, 1)) * 1000),
        redisPublishesPerRoomPerSec: round3((loc.publishesPerSec - idle.publishesPerSec) / config.rooms),
      },
    });

    await sleep(300);
    run = mover(spanning, 'span');
    await sleep(config.warmupMs);
    Object.assign(totals, newTotals());
    const span = await window();
    const spanDelivered = totals.hits;
    run.stop();
    const spanCpu = span.cpu.server[0]!.cpu + span.cpu.server[1]!.cpu;
    out.push({
      case: 'rooms on both nodes',
      metrics: {
        aCpuShare: round3(share(span.cpu, 0)),
        bCpuShare: round3(share(span.cpu, 1)),
        redisPublishesPerRoomPerSec: round3((span.publishesPerSec - idle.publishesPerSec) / config.rooms),
        updatesPerServerCpuSec: round3(spanDelivered / Math.max(1e-6, spanCpu)),
        updatesDeliveredPerSec: round3(spanDelivered / span.cpu.seconds),
      },
    });

    await sleep(300);
    let seq = 0;
    run = pace(config.publishRate, () => publisher.publish('remote', `{"n":${seq++},"t":${stamp()},"text":"hello"}`));
    await sleep(config.publishWarmupMs);
    for (const p of probes) p.reset();
    topicDeliveries = 0;
    const seq0 = seq;
    const pub = await profiled(a, ctx, `redis-publish-nodeA-${label}`, window);
    run.stop();
    const published = seq - seq0;
    // In flight at the end of the window is not lost: wait for it (outside the CPU window).
    await until(() => topicDeliveries >= published * config.subscribers, 1000);
    const p = mergeProbes(probes);
    const aOverIdle = pub.cpu.server[0]!.cpu - share(idle.cpu, 0) * pub.cpu.seconds;
    out.push({
      case: 'publish on A, subscribers on B',
      metrics: {
        aUsPerPublish: round3((aOverIdle * 1e6) / Math.max(1, published)),
        bUsPerDelivery: round3(((pub.cpu.server[1]!.cpu - share(idle.cpu, 1) * pub.cpu.seconds) * 1e6) / Math.max(1, topicDeliveries)),
        redisPublishesPerPublish: round3((pub.publishesPerSec - idle.publishesPerSec) / config.publishRate),
        undelivered: Math.max(0, published * config.subscribers - topicDeliveries),
        probeGaps: p.gaps,
      },
      samples: { latency: p.latency },
    });
    return out;
  } finally {
    for (const c of conns) c.terminate();
    await Promise.all(servers.map((s) => s.close()));
    probe.disconnect();
    await redis.stop();
  }
}
