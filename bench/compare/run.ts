// The benchmark suite: Ghost against raw `ws` (naive and coalesced), Socket.IO 4.8 (in memory and on
// its Redis adapter), same run, same machine, same load generator, loopback only.
//
//   npm run bench [-- --quick] [--only=fanout,cursors,…] [--reps=N] [--profile] [--no-docs]
//
//   --quick    smaller windows, 2 repetitions (a few minutes); for development. Default: the full run
//   --only     these scenarios (ids: see SCENARIOS below)
//   --contenders  only these contenders (ws, ws-coalesced, socketio, ghost, socketio-redis, ghost-redis; and the
//              diagnostic ws-tick: ws-coalesced sending per socket as Ghost does)
//   --reps     repetitions (default 5 full, 2 quick); every repetition runs every contender, interleaved
//   --profile  V8 CPU profile of the server during each measured window → bench/results/profiles/<date>/
//   --heap-profile  the same, plus a V8 sampling heap profile of the window's allocations (.heapprofile)
//   --docs     write docs/benchmarks.md and docs/images/bench-*.svg from this run (a full run does it by default;
//              --no-docs keeps them as they are)
//
// This process is the load generator for every contender, pinned to core 1; each server runs alone in
// a child process pinned to core 0 (`taskset`, where it exists). Results: bench/results/<date>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRedisServer } from '../../test/helpers/redis-process.js';
import { chat } from './chat.js';
import { clientCost } from './client-cost.js';
import { cursorsHeavy, cursorsLight } from './cursors.js';
import { fanout } from './fanout.js';
import { machine } from './machine.js';
import { memory } from './memory.js';
import { redisCluster } from './redis-cluster.js';
import { writeReport } from './report.js';
import type { CaseResult, Ctx, Label, Scenario } from './scenario.js';
import { GENERATOR_CORE, pinGenerator, PINNING, REPO_ROOT, SERVER_CORE } from './server-handle.js';
import { slowConsumer } from './slow-consumer.js';
import { aggregate, type Aggregate } from './stats.js';
import { storm } from './storm.js';
import { topics } from './topics.js';

const SCENARIOS: Scenario<never>[] = [memory, fanout, cursorsHeavy, cursorsLight, topics, chat, redisCluster, slowConsumer, storm] as Scenario<never>[];

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const known = ['--quick', '--profile', '--heap-profile', '--docs', '--no-docs', '--only=', '--reps=', '--contenders='];
for (const a of argv) {
  if (!known.some((k) => (k.endsWith('=') ? a.startsWith(k) : a === k))) {
    console.error(`unknown argument ${a}\nusage: npm run bench -- [--quick] [--only=${[...SCENARIOS.map((s) => s.id), 'client'].join(',')}] [--contenders=ws,ghost] [--reps=N] [--profile] [--heap-profile] [--docs|--no-docs]`);
    process.exit(2);
  }
}
const quick = flag('quick');
const only = value('only')?.split(',');
const onlyContenders = value('contenders')?.split(',');
const reps = Number(value('reps') ?? (quick ? 2 : 5));
const writeDocs = flag('docs') || (!quick && !only && !flag('no-docs'));
const resultsDir = path.join(REPO_ROOT, 'bench/results');
const date = new Date();
const fileStamp = date.toISOString().replace(/:/g, '-').replace(/\..*/, '');
const heapProfile = flag('heap-profile');
const profileDir = flag('profile') || heapProfile ? path.join(resultsDir, 'profiles', fileStamp) : undefined;
for (const id of only ?? []) if (!SCENARIOS.some((s) => s.id === id) && id !== 'client') throw new Error(`unknown scenario ${id}`);

// Before pinning: availableParallelism() follows this process's affinity.
const info = machine();
const pinned = pinGenerator();
const started = Date.now();
console.log(`Ghost benchmark suite — ${quick ? 'quick' : 'full'} run, ${reps} interleaved repetitions`);
console.log(`${info.nproc} CPUs (${info.cpuModel}), Node ${info.node}, git ${info.git.head}; load average ${info.loadAverageAtStart.join(' ')}`);
console.log(PINNING ? `servers pinned to core ${SERVER_CORE}, generator${pinned ? '' : ' (pinning FAILED)'} and Redis to core ${GENERATOR_CORE}` : 'no taskset (or one CPU): nothing pinned');

const aggregates: Aggregate[] = [];
const failures: { scenario: string; contender: Label; rep: number; error: string }[] = [];
const scenarioInfo: { id: string; title: string; description: string; seconds: number; contenders: Label[] }[] = [];
const ctxBase: Omit<Ctx, 'rep'> = {
  profileDir,
  heapProfile,
  redis: async () => {
    const r = await startRedisServer();
    return { url: r.url, stop: r.stop };
  },
};

for (const scenario of SCENARIOS) {
  if (only && !only.includes(scenario.id)) continue;
  const config = scenario.config(quick);
  const description = scenario.describe(config);
  const t0 = Date.now();
  console.log(`\n== ${scenario.title}: ${description} ==`);
  const runs: { contender: Label; results: CaseResult[] }[] = [];
  // ws-tick is a diagnostic contender (servers.ts): only when asked for, and only where ws-coalesced runs.
  const contenders = onlyContenders
    ? (onlyContenders as Label[]).filter((c) => scenario.contenders.includes(c) || (c === 'ws-tick' && scenario.contenders.includes('ws-coalesced')))
    : scenario.contenders;
  // A B C A B C …: a burst of load from elsewhere on the machine hits every contender alike.
  for (let rep = 1; rep <= reps; rep++) {
    for (const contender of contenders) {
      try {
        const t1 = Date.now();
        const results = await scenario.run(contender, config, { ...ctxBase, rep });
        runs.push({ contender, results });
        console.log(`  #${rep} ${contender} (${((Date.now() - t1) / 1000).toFixed(1)} s): ${results.map((r) => `[${r.case}] ${headline(scenario.id, r)}`).join('  ')}`);
      } catch (error) {
        const message = String((error as Error)?.message ?? error);
        failures.push({ scenario: scenario.id, contender, rep, error: message });
        console.error(`  #${rep} ${contender}: FAILED ${message}`);
      }
    }
  }
  aggregates.push(...aggregate(scenario.id, runs));
  scenarioInfo.push({ id: scenario.id, title: scenario.title, description, seconds: Math.round((Date.now() - t0) / 1000), contenders });
}

let client: Awaited<ReturnType<typeof clientCost>> | undefined;
if (!only || only.includes('client')) {
  console.log('\n== Client: bundle size and decode cost ==');
  client = await clientCost(quick);
  console.log(`  ${JSON.stringify(client)}`);
}

const durationSec = Math.round((Date.now() - started) / 1000);
const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
const result = {
  date: date.toISOString(),
  mode: quick ? 'quick' : 'full',
  command,
  reps,
  pinning: { available: PINNING, generatorPinned: pinned, serverCore: SERVER_CORE, generatorCore: GENERATOR_CORE },
  machine: { ...info, loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))) },
  durationSec,
  scenarios: scenarioInfo,
  aggregates,
  client,
  failures,
};
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `${fileStamp}${quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
console.log(`\nwrote ${path.relative(REPO_ROOT, file)} (${durationSec} s${failures.length ? `, ${failures.length} failed runs` : ''})`);
const report = writeReport(result, { docs: writeDocs, resultFile: path.relative(REPO_ROOT, file) });
console.log(report.console);
if (writeDocs) console.log(`wrote ${report.written.join(', ')}`);
process.exit(0);

function headline(id: string, r: CaseResult): string {
  const m = r.metrics;
  const pick = (k: string, unit = '') => (m[k] === undefined ? '' : `${k} ${m[k]}${unit} `);
  if (id === 'fanout' || id === 'topics' || id === 'chat') return pick('serverUsPerDelivery', ' µs') + pick('deliveriesPerSec') + pick('undelivered');
  if (id.startsWith('cursors')) return pick('updatesPerServerCpuSec') + pick('serverCpuShare') + pick('regressions');
  if (id === 'memory') return pick('rssKiBPerConnection', ' KiB') + pick('openSec', ' s');
  return Object.entries(m).slice(0, 4).map(([k, v]) => `${k} ${v}`).join(' ');
}

