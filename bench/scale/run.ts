// `npm run bench:scale`: hub processes on Redis (a 6-node Redis Cluster, or one redis-server) with
// tens of thousands of connections in presence rooms, some of them moving cursors, under two
// routings. See bench/README.md (Scale test) for the method and docs/scaling.md for the figures.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machine } from '../compare/machine.js';
import { spawnChild, REPO_ROOT, type Child } from './child.js';
import type { GeneratorConfig, GeneratorWindow } from './generator.js';
import type { HubConfig } from './hub.js';
import { parseOptions, type ScaleOptions } from './options.js';
import { activeRoomSet, roomCount, type Routing, type Workload } from './plan.js';
import { cpuWindow, rssBytes } from './procfs.js';
import { startRedis, type NodeCounters, type RedisDeployment, type RedisMode } from './redis.js';
import { printRun, summarise, type HubStatsReply, type RedisWindow, type RunResult } from './report.js';

const HUB_CORE = 0;
const GENERATOR_CORE = 1;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const options = parseOptions(process.argv.slice(2));
const pinned = options.pin && os.availableParallelism() >= 2;
const pin = (core: number) => (pinned ? ['taskset', '-c', String(core)] : []);

/**
 * The open-files limit a child needs: raised with prlimit up to the hard limit when the inherited soft
 * limit is lower; past the hard limit, a clear error (more --workers share the generator's sockets).
 */
function fdPrefix(need: number, what: string): string[] {
  const [, soft, hard] = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8')) ?? [];
  const limit = (text: string | undefined) => (text === 'unlimited' ? Infinity : Number(text ?? 0));
  need = Math.ceil(need);
  if (need <= limit(soft)) return [];
  if (need > limit(hard)) {
    throw new Error(
      `${what} needs ${need} open files but the hard limit is ${hard}: raise it (as root: ulimit -Hn ${need}, or nofile in limits.conf) or ` +
        `spread the load (more --workers for the generators, fewer --per-node for the hubs)`,
    );
  }
  return ['prlimit', `--nofile=${need}:${hard}`];
}

const started = new Date();
// Read now: its load average is the one at the start.
const machineAtStart = machine();
const stamp = started.toISOString().replace(/:/g, '-').replace(/\..*/, '');
const outFile = options.out ?? path.join(REPO_ROOT, 'bench', 'results', `scale-${stamp}.json`);
const children = new Set<Child<unknown>>();
let redis: RedisDeployment | undefined;

async function cleanup(): Promise<void> {
  await Promise.all([...children].map((c) => c.close(3000)));
  children.clear();
  await redis?.stop();
  redis = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every process started`);
    void cleanup().finally(() => process.exit(130));
  });
}

const results: RunResult[] = [];
try {
  console.log(
    `scale bench: ${options.nodes} hubs × ${options.perNode} connections, rooms of ${options.roomSize}, ` +
      `${options.activeRooms * 100}% of rooms with ${options.moversPerRoom} movers at ${options.hz.join('–')} Hz; ` +
      `routing ${options.routings.join(', ')}; Redis ${options.redis.join(', ')}; ${pinned ? 'hubs on core 0, generators and Redis on core 1' : 'not pinned'}`,
  );
  for (const mode of options.redis) {
    for (const routing of options.routings) {
      redis = await startRedis(mode, pin(GENERATOR_CORE));
      const result = await runOnce(mode, routing, redis);
      results.push(result);
      printRun(result);
      await redis.stop();
      redis = undefined;
      write();
    }
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanup();
  if (results.length) console.log(`\nwritten: ${path.relative(process.cwd(), outFile)}`);
}

function write(): void {
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileSync(outFile, JSON.stringify({ date: started.toISOString(), machine: { ...machineAtStart, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) }, options, pinned, runs: results }, null, 2) + '\n');
}

async function runOnce(mode: RedisMode, routing: Routing, redis: RedisDeployment): Promise<RunResult> {
  const o: ScaleOptions = options;
  const total = o.nodes * o.perNode;
  // Each source address gives ~28,000 ephemeral ports (bind picks them per address): 8,000 each leaves room.
  const sources = Array.from({ length: Math.max(1, Math.ceil(total / 8000)) }, (_, i) => `127.0.0.${2 + i}`);
  const workload: Workload = {
    nodes: o.nodes,
    perNode: o.perNode,
    roomSize: o.roomSize,
    activeRooms: o.activeRooms,
    moversPerRoom: o.moversPerRoom,
    hz: o.hz,
    routing,
    workers: o.workers,
    sources,
  };
  console.log(`\n== ${routing}-routed on Redis ${mode}: ${total} connections, ${roomCount(workload)} rooms (${activeRoomSet(workload).size} active)`);

  const hubs: Child<{ port: number }>[] = [];
  for (let n = 0; n < o.nodes; n++) {
    const config: HubConfig = { nodeId: `hub-${n}`, redis: { mode, urls: redis.urls } };
    const hub = await spawnChild<{ port: number }>('./hub.ts', config, [...pin(HUB_CORE), ...fdPrefix(o.perNode * 1.2 + 1000, `a hub of ${o.perNode} connections`)], `hub-${n}`);
    children.add(hub);
    hubs.push(hub);
  }
  await sleep(2000); // every node has heard every other's heartbeat
  await Promise.all(hubs.map((h) => h.request('gc')));
  const rssBefore = hubs.map((h) => rssBytes(h.pid));

  const generators: Child<{ members: number; movers: number; sampled: number }>[] = [];
  for (let w = 0; w < o.workers; w++) {
    const config: GeneratorConfig = {
      worker: w,
      workload,
      hubs: hubs.map((h) => ({ host: '127.0.0.1', port: h.ready.port })),
      concurrency: o.concurrency,
      maxSamples: 100_000,
    };
    const g = await spawnChild<{ members: number; movers: number; sampled: number }>('./generator.ts', config, [...pin(GENERATOR_CORE), ...fdPrefix((total / o.workers) * 1.2 + 1000, `a generator of ${Math.ceil(total / o.workers)} connections`)], `generator-${w}`);
    children.add(g);
    generators.push(g);
  }
  const movers = generators.reduce((s, g) => s + g.ready.movers, 0);
  const sampled = generators.reduce((s, g) => s + g.ready.sampled, 0);

  const t0 = performance.now();
  const connectCpu = cpuWindow(hubs.map((h) => h.pid));
  const connects = await Promise.all(generators.map((g) => g.request<{ opened: number; failed: number; firstError?: string; seconds: number }>('connect', {}, 30 * 60_000)));
  const connectSeconds = (performance.now() - t0) / 1000;
  const connectHubCpu = connectCpu();
  const opened = connects.reduce((s, c) => s + c.opened, 0);
  const failed = connects.reduce((s, c) => s + c.failed, 0);
  console.log(`connected ${opened}/${total} in ${connectSeconds.toFixed(1)} s${failed ? ` (${failed} failed: ${connects.find((c) => c.firstError)?.firstError})` : ''}`);

  // Starved hubs are still working through the joins and syncs when the last ack is in: wait until
  // Redis is down to the heartbeat floor, so the idle window measures idle.
  const settleSeconds = await settle(redis, o.nodes);
  console.log(`settled after ${settleSeconds.toFixed(1)} s`);
  await Promise.all(hubs.map((h) => h.request('gc')));
  const rssAfter = hubs.map((h) => rssBytes(h.pid));
  const hubStatsIdle = await Promise.all(hubs.map((h) => h.request<HubStatsReply>('stats')));

  const pids = [...hubs.map((h) => h.pid), ...generators.map((g) => g.pid)];
  const measure = async (seconds: number) => {
    const redis0 = await redis.counters();
    await Promise.all(generators.map((g) => g.request('window')));
    await Promise.all(hubs.map((h) => h.request('stats')));
    const end = cpuWindow(pids);
    await sleep(seconds * 1000);
    const cpu = end();
    const [gens, hubStats, redis1] = await Promise.all([
      Promise.all(generators.map((g) => g.request<GeneratorWindow>('window', {}, 60_000))),
      Promise.all(hubs.map((h) => h.request<HubStatsReply>('stats', {}, 60_000))),
      redis.counters(),
    ]);
    return { cpu, gens, hubStats, redis: redisDelta(redis0, redis1, cpu.seconds) };
  };

  const idle = await measure(o.idleSeconds);
  await Promise.all(generators.map((g) => g.request('move', { on: true })));
  await sleep(o.warmupSeconds * 1000);
  const moving = await measure(o.windowSeconds);
  await Promise.all(generators.map((g) => g.request('move', { on: false })));

  for (const g of generators) {
    await g.close(10_000);
    children.delete(g);
  }
  for (const h of hubs) {
    await h.close(10_000);
    children.delete(h);
  }
  return summarise({
    routing,
    redisMode: mode,
    workload,
    options: o,
    movers,
    sampled,
    settleSeconds,
    connect: { target: total, opened, failed, firstError: connects.find((c) => c.firstError)?.firstError, seconds: connectSeconds, hubCpuSeconds: connectHubCpu.cpu },
    hubs: hubs.map((h, i) => ({ node: i, pid: h.pid, rssBefore: rssBefore[i]!, rssAfter: rssAfter[i]!, stats: hubStatsIdle[i]! })),
    idle,
    moving,
  });
}

/** Seconds until the Redis masters serve no more than a few commands per node per second (at most 60 s). */
async function settle(redis: RedisDeployment, nodes: number): Promise<number> {
  const t0 = performance.now();
  let before = await redis.counters();
  for (;;) {
    await sleep(1000);
    const after = await redis.counters();
    const rate = redisDelta(before, after, 1)
      .filter((n) => n.role === 'master')
      .reduce((s, n) => s + Object.values(n.callsPerSec).reduce((a, b) => a + b, 0), 0);
    const seconds = (performance.now() - t0) / 1000;
    if (rate <= 10 * nodes || seconds > 60) return seconds;
    before = after;
  }
}

function redisDelta(a: NodeCounters[], b: NodeCounters[], seconds: number): RedisWindow[] {
  return b.map((after, i) => {
    const before = a[i]!;
    const callsPerSec: Record<string, number> = {};
    for (const [cmd, n] of Object.entries(after.calls)) {
      // INFO itself is the bench asking: leave it out.
      const d = n - (before.calls[cmd] ?? 0);
      if (d > 0 && cmd !== 'info') callsPerSec[cmd] = d / seconds;
    }
    return {
      port: after.port,
      role: after.role,
      callsPerSec,
      cpuShare: (after.cpuSeconds - before.cpuSeconds) / seconds,
      netInBytesPerSec: (after.netInputBytes - before.netInputBytes) / seconds,
      netOutBytesPerSec: (after.netOutputBytes - before.netOutputBytes) / seconds,
      shardChannels: after.shardChannels,
      pubsubChannels: after.pubsubChannels,
      connectedClients: after.connectedClients,
      usedMemory: after.usedMemory,
    };
  });
}

