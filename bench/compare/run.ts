// Ghost side by side with raw `ws` and Socket.IO, same run, same machine, same messages, loopback only.
//
//   npx tsx bench/compare/run.ts [--quick] [--inproc] [--profile] [--only=fanout,cursors,connections] [--stacks=ws,socketio,ghost]
//
//   --quick     smaller counts and shorter windows (about a minute in all); default is the full run
//   --inproc    run each server in this process instead of a child process (CPU figures then include
//               the clients); default: one child process per server, clients here
//   --profile   write a CPU profile of the server during each measured window to
//               bench/results/profiles/<date>/ (summarise with profile-summary.ts); perturbs the figures
//   --only      run only these scenarios
//   --stacks    run only these stacks
//
// Prints a table per scenario with Ghost/ws and Ghost/Socket.IO ratios, and writes everything as JSON
// to bench/results/<date>.json. Every loop is bounded in count and time, and the run exits by itself.
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runConnections, type ConnectionsResult } from './connections.js';
import { runCursors, type CursorsResult } from './cursors.js';
import { runFanout, type FanoutResult, type Publisher } from './fanout.js';
import { REPO_ROOT, type StartOptions } from './server-handle.js';
import { STACKS, type Stack } from './servers.js';
import { ratio, round, table } from './util.js';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const list = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]?.split(',');
const known = ['--quick', '--inproc', '--profile', '--only=', '--stacks='];
for (const a of argv) {
  if (!known.some((k) => (k.endsWith('=') ? a.startsWith(k) : a === k))) {
    console.error(`unknown argument ${a}\nusage: npx tsx bench/compare/run.ts [--quick] [--inproc] [--profile] [--only=fanout,cursors,connections] [--stacks=ws,socketio,ghost]`);
    process.exit(2);
  }
}
const quick = flag('quick');
const scenarios = new Set(list('only') ?? ['fanout', 'cursors', 'connections']);
const stacks = (list('stacks') ?? [...STACKS]) as Stack[];
for (const s of stacks) if (!STACKS.includes(s)) throw new Error(`unknown stack ${s}`);
const resultsDir = path.join(REPO_ROOT, 'bench/results');
const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
const options: StartOptions = { inproc: flag('inproc'), profileDir: flag('profile') ? path.join(resultsDir, 'profiles', stamp) : undefined };

// File descriptors: every connection is one here and one in the server process (both when in process).
const fdLimit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim()) || 1024;
const fdBudget = Math.floor((options.inproc ? fdLimit / 2 : fdLimit) - 200);

const config = quick
  ? {
      fanout: [
        { subscribers: 100, messages: 1500, window: 32, warmup: 200, timeoutMs: 20_000 },
        { subscribers: 500, messages: 400, window: 32, warmup: 60, timeoutMs: 20_000 },
      ],
      cursors: [
        { members: 50, seconds: 2, hz: 60 },
        { members: 200, seconds: 2, hz: 60 },
      ],
      connections: { connections: 500, concurrency: 50 },
      reps: 1,
    }
  : {
      fanout: [
        { subscribers: 100, messages: 10_000, window: 32, warmup: 500, timeoutMs: 60_000 },
        { subscribers: 500, messages: 3000, window: 32, warmup: 200, timeoutMs: 60_000 },
      ],
      cursors: [
        { members: 50, seconds: 10, hz: 60 },
        { members: 200, seconds: 10, hz: 60 },
      ],
      connections: { connections: 2000, concurrency: 100 },
      // Fan-out and connection runs are short: each is repeated, interleaved, and the median kept.
      reps: 3,
    };
if (config.connections.connections > fdBudget) {
  console.log(`(ulimit -n is ${fdLimit}: connection scenario limited to ${fdBudget} connections)`);
  config.connections.connections = fdBudget;
}

function gitState() {
  const run = (cmd: string) => {
    try {
      return execSync(cmd, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trimEnd();
    } catch {
      return '';
    }
  };
  const dirty = run('git status --porcelain -- packages');
  return { head: run('git rev-parse --short HEAD'), packagesDirty: dirty ? dirty.split('\n') : [] };
}

function machine() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux
  }
  const version = (name: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;
  return {
    nproc: os.availableParallelism(),
    cpuModel,
    memoryGiB: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    fdLimit,
    versions: { ws: version('ws'), 'socket.io': version('socket.io'), 'socket.io-client': version('socket.io-client'), 'engine.io': version('engine.io') },
    // The Ghost under test is the working tree: other sessions' uncommitted changes included.
    git: gitState(),
    loadAverageAtStart: os.loadavg().map((l) => round(l)),
    // tsx maps @ghost/* through the root tsconfig paths: this shows it is the sources, not a stale dist.
    ghostResolvesTo: Object.fromEntries(['@ghost/server', '@ghost/client', '@ghost/protocol'].map((m) => [m, path.relative(REPO_ROOT, new URL(import.meta.resolve(m)).pathname)])),
  };
}

const started = Date.now();
const info = machine();
console.log(`Ghost vs ws vs Socket.IO — ${quick ? 'quick' : 'full'} run, servers ${options.inproc ? 'IN THIS PROCESS with the clients' : 'in a child process each, clients in this process'}`);
console.log(`${info.nproc} CPUs (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node}, ulimit -n ${fdLimit}`);
console.log(`ws ${info.versions.ws}, socket.io ${info.versions['socket.io']} (engine.io ${info.versions['engine.io']}), @ghost/* from ${Object.values(info.ghostResolvesTo).join(', ')}`);
console.log(`git ${info.git.head}${info.git.packagesDirty.length ? `, packages/ has ${info.git.packagesDirty.length} uncommitted changes (measured as they are)` : ''}; load average ${info.loadAverageAtStart.join(' ')}${info.loadAverageAtStart[0]! > 0.5 ? ' — the machine is not idle: expect noise' : ''}`);
for (const [m, p] of Object.entries(info.ghostResolvesTo)) if (!p.includes('/src/')) console.warn(`WARNING: ${m} resolves to ${p}, not the sources`);

const results: { fanout: FanoutResult[]; cursors: CursorsResult[]; connections: ConnectionsResult[] } = { fanout: [], cursors: [], connections: [] };
const label = (stack: Stack, publisher?: Publisher, raw?: boolean) =>
  stack === 'ghost' && raw ? 'ghost (raw ws clients)' : stack === 'ghost' && publisher === 'server' ? 'ghost (hub.publish)' : stack === 'socketio' ? 'socket.io' : stack;

function ratiosOf<T extends { stack: Stack }>(rows: T[], ghost: T | undefined, metrics: Record<string, (row: T) => number>) {
  const ws = rows.find((r) => r.stack === 'ws');
  const sio = rows.find((r) => r.stack === 'socketio');
  const out: Record<string, { ghostOverWs: number | null; ghostOverSocketIO: number | null }> = {};
  if (!ghost) return out;
  for (const [name, get] of Object.entries(metrics)) out[name] = { ghostOverWs: ws ? ratio(get(ghost), get(ws)) : null, ghostOverSocketIO: sio ? ratio(get(ghost), get(sio)) : null };
  return out;
}
const ratioRows = (ratios: ReturnType<typeof ratiosOf>, name: string) =>
  Object.entries(ratios).map(([metric, r]) => [`${name}: ${metric}`, r.ghostOverWs, r.ghostOverSocketIO]);

const summary: Record<string, unknown> = {};

/** Notes the 1-minute load average after a run: other work on the machine shows up here. */
function withLoad<T extends object>(result: T): T & { loadAverage1m: number; runs?: number } {
  return { ...result, loadAverage1m: round(os.loadavg()[0]!) };
}

/** The median of each numeric field over repeated runs (nested objects too); `runs` says how many. */
function median<T extends object>(list: T[]): T {
  if (list.length === 1) return list[0]!;
  const merge = (values: unknown[]): unknown => {
    const first = values[0];
    if (typeof first === 'number') {
      const sorted = (values as number[]).slice().sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    }
    if (typeof first === 'boolean') return values.some(Boolean);
    if (first && typeof first === 'object') {
      return Object.fromEntries(Object.keys(first).map((k) => [k, merge(values.map((v) => (v as Record<string, unknown>)[k]))]));
    }
    return first;
  };
  return { ...(merge(list) as T), runs: list.length, each: list };
}

if (scenarios.has('fanout')) {
  for (const c of config.fanout) {
    console.log(`\n== Fan-out: ${c.subscribers} subscribers, ${c.messages} messages {text,n,t}, window ${c.window} ==`);
    const rows: FanoutResult[] = [];
    // Ghost three ways: @ghost/client publishing and subscribing; hub.publish from the server; and the
    // hub with bare ws sockets as clients (the client side then costs what raw ws's does).
    type Run = [Stack, Publisher, boolean];
    const runs: Run[] = stacks.flatMap((s): Run[] => (s === 'ghost' ? [['ghost', 'client', false], ['ghost', 'server', false], ['ghost', 'client', true]] : [[s, 'client', false]]));
    const all = new Map<string, FanoutResult[]>(runs.map(([s, p, raw]) => [`${s}/${p}/${raw}`, []]));
    // Repetitions interleave the stacks, so a burst of load from elsewhere hits them alike.
    for (let rep = 1; rep <= config.reps; rep++) {
      for (const [stack, publisher, raw] of runs) {
        const r = withLoad(await runFanout(stack, publisher, c, options, raw));
        all.get(`${stack}/${publisher}/${raw}`)!.push(r);
        console.log(`  ${label(stack, publisher, raw)}${config.reps > 1 ? ` #${rep}` : ''}: ${r.deliveriesPerSec} deliveries/s, server ${r.serverCpuUsPerDelivery} µs/delivery (${r.serverSysUsPerDelivery} in the kernel)${r.timedOut ? ' (TIMED OUT)' : ''}`);
      }
    }
    for (const list of all.values()) {
      const r = median(list);
      rows.push(r);
      results.fanout.push(r);
    }
    console.log(
      table([
        ['stack', 'deliveries/s', 'time ms', 'p50 ms', 'p90 ms', 'p99 ms', 'srv CPU %', 'srv µs/deliv', 'of it user', 'writes/deliv', 'cli CPU %', 'bytes/msg'],
        ...rows.map((r) => [
          label(r.stack, r.publisher, r.rawClients) + (r.timedOut ? ' (timed out)' : ''), r.deliveriesPerSec, r.elapsedMs, r.latencyMs.p50, r.latencyMs.p90, r.latencyMs.p99,
          r.serverCpuShare * 100, r.serverCpuUsPerDelivery, round(r.serverCpuUsPerDelivery - r.serverSysUsPerDelivery), r.serverWriteSyscallsPerDelivery, r.clientCpuShare * 100, r.payloadBytesPerDelivery,
        ]),
      ]),
    );
    const metrics = {
      deliveriesPerSec: (r: FanoutResult) => r.deliveriesPerSec,
      p50: (r: FanoutResult) => r.latencyMs.p50,
      p99: (r: FanoutResult) => r.latencyMs.p99,
      serverCpuUsPerDelivery: (r: FanoutResult) => r.serverCpuUsPerDelivery,
      serverUserUsPerDelivery: (r: FanoutResult) => r.serverCpuUsPerDelivery - r.serverSysUsPerDelivery,
      serverWritesPerDelivery: (r: FanoutResult) => r.serverWriteSyscallsPerDelivery,
      bytesPerMsg: (r: FanoutResult) => r.payloadBytesPerDelivery,
    };
    const viaClient = ratiosOf(rows, rows.find((r) => r.stack === 'ghost' && r.publisher === 'client' && !r.rawClients), metrics);
    const viaServer = ratiosOf(rows, rows.find((r) => r.stack === 'ghost' && r.publisher === 'server'), metrics);
    const viaRaw = ratiosOf(rows, rows.find((r) => r.stack === 'ghost' && r.rawClients), metrics);
    summary[`fanout-${c.subscribers}`] = { ghostClientPublish: viaClient, ghostHubPublish: viaServer, ghostHubRawClients: viaRaw };
    if (Object.keys(viaClient).length) {
      console.log(table([['ratio', 'ghost/ws', 'ghost/socket.io'], ...ratioRows(viaClient, 'client publish'), ...ratioRows(viaServer, 'hub.publish'), ...ratioRows(viaRaw, 'raw ws clients')]));
    }
  }
}

if (scenarios.has('cursors')) {
  for (const c of config.cursors) {
    console.log(`\n== Cursor presence: ${c.members} members at ${c.hz} Hz for ${c.seconds} s (per receiver) ==`);
    const rows: CursorsResult[] = [];
    for (const stack of stacks) {
      const r = withLoad(await runCursors(stack, c, options));
      rows.push(r);
      results.cursors.push(r);
      console.log(`  ${label(stack)}: ${r.framesPerSec} frames/s per receiver, server CPU ${round(r.serverCpuShare * 100)}%`);
    }
    console.log(
      table([
        ['stack', 'sent Hz', 'frames/s', 'pos/s', 'got %', 'KiB/s wire', 'p50 ms', 'p99 ms', 'srv CPU %', 'srv µs/upd', 'srv writes/s', 'cli CPU %'],
        ...rows.map((r) => [
          label(r.stack) + (r.allSawAll ? '' : ' (not all joined)'), r.sentHzPerMember, r.framesPerSec, r.positionsPerSec, r.positionsReceivedShare * 100,
          r.wireBytesPerSec / 1024, r.latencyMs.p50, r.latencyMs.p99, r.serverCpuShare * 100, r.serverCpuUsPerUpdateIn, r.serverWriteSyscallsPerSec, r.clientCpuShare * 100,
        ]),
      ]),
    );
    const ratios = ratiosOf(rows, rows.find((r) => r.stack === 'ghost'), {
      framesPerSec: (r) => r.framesPerSec,
      positionsPerSec: (r) => r.positionsPerSec,
      wireBytesPerSec: (r) => r.wireBytesPerSec,
      serverCpuShare: (r) => r.serverCpuShare,
      serverCpuUsPerUpdateIn: (r) => r.serverCpuUsPerUpdateIn,
      p50: (r) => r.latencyMs.p50,
    });
    summary[`cursors-${c.members}`] = ratios;
    if (Object.keys(ratios).length) console.log(table([['ratio', 'ghost/ws', 'ghost/socket.io'], ...ratioRows(ratios, 'cursors')]));
  }
  console.log('(relays send every update to everyone else; Ghost sends the newest state of each moved member once per 33 ms tick)');
}

if (scenarios.has('connections')) {
  const c = config.connections;
  console.log(`\n== Connection cost: ${c.connections} connections, ${c.concurrency} at a time ==`);
  const rows: ConnectionsResult[] = [];
  const all = new Map<Stack, ConnectionsResult[]>(stacks.map((s) => [s, []]));
  for (let rep = 1; rep <= config.reps; rep++) {
    for (const stack of stacks) {
      const r = withLoad(await runConnections(stack, c, options));
      all.get(stack)!.push(r);
      console.log(`  ${label(stack)}${config.reps > 1 ? ` #${rep}` : ''}: ${r.connectionsPerSec} connections/s`);
    }
  }
  for (const list of all.values()) {
    const r = median(list);
    rows.push(r);
    results.connections.push(r);
  }
  console.log(
    table([
      ['stack', 'open ms', 'conn/s', 'srv µs CPU/conn', 'srv RSS KiB/conn', 'srv heap KiB/conn', 'srv heap+ext KiB/conn', 'cli heap KiB/conn'],
      ...rows.map((r) => [label(r.stack) + (r.serverConnectionsSeen === r.connections ? '' : ` (server saw ${r.serverConnectionsSeen})`), r.openMs, r.connectionsPerSec, r.serverCpuUsPerConnection, r.serverRssKiBPerConnection, r.serverHeapKiBPerConnection, r.serverAllKiBPerConnection, r.clientHeapKiBPerConnection]),
    ]),
  );
  const ratios = ratiosOf(rows, rows.find((r) => r.stack === 'ghost'), {
    openMs: (r) => r.openMs,
    serverCpuUsPerConnection: (r) => r.serverCpuUsPerConnection,
    serverRssKiBPerConnection: (r) => r.serverRssKiBPerConnection,
    serverHeapKiBPerConnection: (r) => r.serverHeapKiBPerConnection,
  });
  summary.connections = ratios;
  if (Object.keys(ratios).length) console.log(table([['ratio', 'ghost/ws', 'ghost/socket.io'], ...ratioRows(ratios, 'connections')]));
}

mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `${stamp}${quick ? '-quick' : ''}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ date: new Date().toISOString(), mode: quick ? 'quick' : 'full', serverProcess: options.inproc ? 'inproc' : 'child', machine: info, config, ratios: summary, results, durationSec: round((Date.now() - started) / 1000), loadAverageAtEnd: os.loadavg().map((l) => round(l)) }, null, 2)}\n`,
);
console.log(`\nwrote ${path.relative(REPO_ROOT, file)} in ${round((Date.now() - started) / 1000)} s`);
// Socket.IO and Ghost clients keep no timers once closed, but do not wait on stragglers.
process.exit(0);
