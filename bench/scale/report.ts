// Turns one run's raw readings into the figures of the scale bench, and prints them as tables.
import { table } from '../compare/util.js';
import type { GeneratorWindow } from './generator.js';
import type { ScaleOptions } from './options.js';
import { roomCount, type Routing, type Workload } from './plan.js';
import type { RedisMode } from './redis.js';

/** A hub's answer to `stats`. */
export interface HubStatsReply {
  hub: { connections: number; rooms: number; members: number; slow: number };
  lag: { p50Ms: number; p99Ms: number; maxMs: number };
  errors: Record<string, number>;
  memory: NodeJS.MemoryUsage;
}

/** One Redis node over a window: rates from INFO deltas. */
export interface RedisWindow {
  port: number;
  role: 'master' | 'replica';
  /** Calls per second by command (only commands that were called; INFO, the bench's own, left out). */
  callsPerSec: Record<string, number>;
  cpuShare: number;
  netInBytesPerSec: number;
  netOutBytesPerSec: number;
  shardChannels: number;
  pubsubChannels: number;
  connectedClients: number;
  usedMemory: number;
}

/** A measured window: CPU of the hubs then the generators (in pid order), and everyone's counters. */
export interface Measured {
  cpu: { seconds: number; cpu: number[] };
  gens: GeneratorWindow[];
  hubStats: HubStatsReply[];
  redis: RedisWindow[];
}

export interface RunInput {
  routing: Routing;
  redisMode: RedisMode;
  workload: Workload;
  options: ScaleOptions;
  movers: number;
  sampled: number;
  /** Seconds after the last ack until Redis was down to the heartbeat floor. */
  settleSeconds: number;
  connect: { target: number; opened: number; failed: number; firstError?: string; seconds: number; hubCpuSeconds: number[] };
  hubs: { node: number; pid: number; rssBefore: number; rssAfter: number; stats: HubStatsReply }[];
  idle: Measured;
  moving: Measured;
}

const r3 = (n: number) => (Number.isFinite(n) ? Number(n.toPrecision(3)) : n);
const MB = 1024 * 1024;

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const publishes = (w: RedisWindow) => (w.callsPerSec.publish ?? 0) + (w.callsPerSec.spublish ?? 0);
const totalCalls = (w: RedisWindow) => Object.values(w.callsPerSec).reduce((s, n) => s + n, 0);

export function summarise(input: RunInput) {
  const { workload: w, idle, moving } = input;
  const nodes = w.nodes;
  const rooms = roomCount(w);
  const activeRooms = Math.round(rooms * w.activeRooms);
  const hubCpu = (m: Measured, i: number) => m.cpu.cpu[i]! / m.cpu.seconds;
  const genCpu = (m: Measured) => m.cpu.cpu.slice(nodes).reduce((s, c) => s + c, 0) / m.cpu.seconds;
  const hubs = input.hubs.map((h, i) => {
    const connections = h.stats.hub.connections;
    return {
      node: h.node,
      connections,
      members: h.stats.hub.members,
      rooms: h.stats.hub.rooms,
      rssMB: r3(h.rssAfter / MB),
      rssPerConnectionKB: r3((h.rssAfter - h.rssBefore) / Math.max(1, connections) / 1024),
      heapUsedMB: r3(h.stats.memory.heapUsed / MB),
      connectCpuSeconds: r3(input.connect.hubCpuSeconds[i]!),
      // Opening a connection and joining its room (upgrade, welcome, track, snapshot, the diffs to the others).
      connectCpuMsPerConnection: r3((input.connect.hubCpuSeconds[i]! * 1000) / Math.max(1, connections)),
      idleCpuShare: r3(hubCpu(idle, i)),
      movingCpuShare: r3(hubCpu(moving, i)),
      lagP99Ms: r3(moving.hubStats[i]!.lag.p99Ms),
      lagMaxMs: r3(moving.hubStats[i]!.lag.maxMs),
      slow: moving.hubStats[i]!.hub.slow,
      errors: moving.hubStats[i]!.errors,
    };
  });
  const masters = (m: Measured) => m.redis.filter((n) => n.role === 'master');
  const redis = moving.redis.map((n, i) => {
    const base = idle.redis[i]!;
    return {
      port: n.port,
      role: n.role,
      commandsPerSec: r3(totalCalls(n)),
      publishPerSec: r3(n.callsPerSec.publish ?? 0),
      spublishPerSec: r3(n.callsPerSec.spublish ?? 0),
      evalshaPerSec: r3(n.callsPerSec.evalsha ?? 0),
      idleCommandsPerSec: r3(totalCalls(base)),
      byCommand: Object.fromEntries(Object.entries(n.callsPerSec).map(([k, v]) => [k, r3(v)])),
      cpuShare: r3(n.cpuShare),
      netInKBPerSec: r3(n.netInBytesPerSec / 1024),
      netOutKBPerSec: r3(n.netOutBytesPerSec / 1024),
      shardChannels: n.shardChannels,
      pubsubChannels: n.pubsubChannels,
      clients: n.connectedClients,
      usedMemoryMB: r3(n.usedMemory / MB),
    };
  });
  const publishMoving = masters(moving).reduce((s, n) => s + publishes(n), 0);
  const publishIdle = masters(idle).reduce((s, n) => s + publishes(n), 0);
  // Each node publishes one heartbeat a second (nodeHeartbeatMs 1000); the rest is presence.
  const presencePublishes = publishMoving - nodes;
  const samples = Float64Array.from(moving.gens.flatMap((g) => g.staleness)).sort();
  const sum = (f: (g: GeneratorWindow) => number) => moving.gens.reduce((s, g) => s + f(g), 0);
  const seconds = moving.cpu.seconds;
  const expectedMoves = (() => {
    // The same draw as plan.ts gives the movers; their mean rate is the middle of the range.
    return input.movers * ((w.hz[0] + w.hz[1]) / 2);
  })();
  return {
    routing: input.routing,
    redisMode: input.redisMode,
    connections: { ...input.connect, perNode: w.perNode, nodes },
    settleSeconds: r3(input.settleSeconds),
    rooms,
    activeRooms,
    movers: input.movers,
    sampledWatchers: input.sampled,
    hubs,
    redis,
    presence: {
      // Presence envelopes: every PUBLISH/SPUBLISH on the masters but the nodes' heartbeats.
      publishesPerSec: r3(presencePublishes),
      publishesPerActiveRoomPerSec: r3(presencePublishes / Math.max(1, activeRooms)),
      publishesPerRoomPerSec: r3(presencePublishes / rooms),
      idlePublishesPerSec: r3(publishIdle),
    },
    staleness: {
      samples: samples.length,
      decoded: sum((g) => g.decoded),
      p50Ms: r3(percentile(samples, 50)),
      p90Ms: r3(percentile(samples, 90)),
      p99Ms: r3(percentile(samples, 99)),
      maxMs: r3(samples.length ? samples[samples.length - 1]! : NaN),
    },
    generator: {
      processes: moving.gens.length,
      cpuShare: r3(genCpu(moving)),
      idleCpuShare: r3(genCpu(idle)),
      lagP99Ms: r3(Math.max(...moving.gens.map((g) => g.lag.p99Ms))),
      lagMaxMs: r3(Math.max(...moving.gens.map((g) => g.lag.maxMs))),
      movesPerSec: r3(sum((g) => g.movesSent) / seconds),
      expectedMovesPerSec: r3(expectedMoves),
      diffFramesPerSec: r3(sum((g) => g.diffFrames) / seconds),
      diffFramesPerActiveWatcherPerSec: r3(sum((g) => g.diffFrames) / seconds / Math.max(1, activeRooms * w.roomSize)),
      bytesInPerSec: r3(sum((g) => g.bytesIn) / seconds),
      idleBytesInPerSec: r3(idle.gens.reduce((s, g) => s + g.bytesIn, 0) / idle.cpu.seconds),
      closedDuringRun: sum((g) => g.closed),
      closeReasons: moving.gens.reduce<Record<string, number>>((all, g) => {
        for (const [k, v] of Object.entries(g.closeReasons)) all[k] = (all[k] ?? 0) + v;
        return all;
      }, {}),
    },
    derived: derived(),
    windowSeconds: r3(seconds),
  };

  /** What the capacity model scales from: per connection, per active room, per delivered frame. */
  function derived() {
    const idleHubs = input.hubs.reduce((s, _h, i) => s + hubCpu(idle, i), 0);
    const movingHubs = input.hubs.reduce((s, _h, i) => s + hubCpu(moving, i), 0);
    const connections = input.hubs.reduce((s, h) => s + h.stats.hub.connections, 0);
    const diffFrames = sum((g) => g.diffFrames) / seconds;
    const bytes = sum((g) => g.bytesIn) / seconds;
    const rss = input.hubs.reduce((s, h) => s + (h.rssAfter - h.rssBefore), 0);
    return {
      rssPerConnectionKB: r3(rss / Math.max(1, connections) / 1024),
      idleHubCpuPer10kConnections: r3((idleHubs / Math.max(1, connections)) * 10_000),
      hubCpuPerActiveRoom: r3((movingHubs - idleHubs) / Math.max(1, activeRooms)),
      hubCpuUsPerDiffFrame: r3(((movingHubs - idleHubs) * 1e6) / Math.max(1, diffFrames)),
      bytesPerDiffFrame: r3(bytes / Math.max(1, diffFrames)),
      redisCommandsPerActiveRoomPerSec: r3(
        (masters(moving).reduce((s, n) => s + totalCalls(n), 0) - masters(idle).reduce((s, n) => s + totalCalls(n), 0)) / Math.max(1, activeRooms),
      ),
      redisCpuShareMax: r3(Math.max(...moving.redis.map((n) => n.cpuShare))),
    };
  }
}

export type RunResult = ReturnType<typeof summarise>;

export function printRun(r: RunResult): void {
  console.log(
    `\n${r.routing}-routed, Redis ${r.redisMode}: ${r.connections.opened}/${r.connections.target} connections (${r.connections.seconds.toFixed(1)} s to open), ` +
      `${r.rooms} rooms, ${r.activeRooms} active, ${r.movers} movers`,
  );
  console.log(
    table([
      ['hub', 'conns', 'RSS MB', 'KB/conn', 'open ms CPU/conn', 'CPU idle', 'CPU moving', 'lag p99 ms', 'slow'],
      ...r.hubs.map((h) => [`hub-${h.node}`, h.connections, h.rssMB, h.rssPerConnectionKB, h.connectCpuMsPerConnection, h.idleCpuShare, h.movingCpuShare, h.lagP99Ms, h.slow]),
    ]),
  );
  console.log(
    table([
      ['redis', 'cmds/s', 'PUBLISH/s', 'SPUBLISH/s', 'EVALSHA/s', 'idle cmds/s', 'CPU', 'out KB/s', 'channels'],
      ...r.redis.map((n) => [
        `${n.role} :${n.port}`,
        n.commandsPerSec,
        n.publishPerSec,
        n.spublishPerSec,
        n.evalshaPerSec,
        n.idleCommandsPerSec,
        n.cpuShare,
        n.netOutKBPerSec,
        n.shardChannels + n.pubsubChannels,
      ]),
    ]),
  );
  const g = r.generator;
  console.log(
    table([
      ['figure', 'value'],
      ['presence publishes/s (all but heartbeats)', r.presence.publishesPerSec],
      ['  per active room per s', r.presence.publishesPerActiveRoomPerSec],
      ['cursor staleness p50 / p99 / max ms', `${r.staleness.p50Ms} / ${r.staleness.p99Ms} / ${r.staleness.maxMs} (${r.staleness.samples} samples)`],
      ['moves sent/s (planned)', `${g.movesPerSec} (${g.expectedMovesPerSec})`],
      ['diff frames received/s', g.diffFramesPerSec],
      ['  per watcher in an active room', g.diffFramesPerActiveWatcherPerSec],
      ['bytes received/s (all clients)', g.bytesInPerSec],
      ['generator CPU (1 = a core), lag p99 ms', `${g.cpuShare}, ${g.lagP99Ms}`],
      ['hub CPU per active room (1 = a core)', r.derived.hubCpuPerActiveRoom],
      ['hub CPU µs per diff frame delivered (in + out)', r.derived.hubCpuUsPerDiffFrame],
      ['hub CPU idle, per 10,000 connections', r.derived.idleHubCpuPer10kConnections],
      ['connections closed during the run', `${g.closedDuringRun} ${JSON.stringify(g.closeReasons)}`],
    ]),
  );
}
