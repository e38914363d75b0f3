// The Redis the hubs share: one redis-server, or a Redis Cluster of six (3 masters, 3 replicas), each
// a throwaway process on a free port with no persistence. Also reads each node's counters (INFO) so
// the orchestrator can report commands, CPU and bytes per shard.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../test/helpers/redis-process.js';
import { reapOnExit, removeOnExit } from './reaper.js';

export type RedisMode = 'single' | 'cluster';

export interface RedisNode {
  port: number;
  url: string;
  pid: number;
  role: 'master' | 'replica';
}

export interface RedisDeployment {
  mode: RedisMode;
  nodes: RedisNode[];
  /** The URLs the hubs are given: the one server, or every cluster node (any would do as a seed). */
  urls: string[];
  /** Counters of every node, for deltas. */
  counters(): Promise<NodeCounters[]>;
  /** Zeroes INFO commandstats everywhere (CONFIG RESETSTAT). */
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

/** One node's INFO figures that the bench turns into rates. */
export interface NodeCounters {
  port: number;
  role: 'master' | 'replica';
  /** Calls per command name (lower case), from INFO commandstats. */
  calls: Record<string, number>;
  cpuSeconds: number;
  netInputBytes: number;
  netOutputBytes: number;
  pubsubChannels: number;
  shardChannels: number;
  connectedClients: number;
  usedMemory: number;
}

const BASE_ARGS = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];

/**
 * Starts Redis: `single` is one redis-server, `cluster` six with `--cluster-enabled yes` joined by
 * `redis-cli --cluster create … --cluster-replicas 1`. `prefix` runs each under e.g. taskset.
 */
export async function startRedis(mode: RedisMode, prefix: string[] = []): Promise<RedisDeployment> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ghost-scale-redis-'));
  removeOnExit(dir);
  const children: ChildProcess[] = [];
  const count = mode === 'cluster' ? 6 : 1;
  const links = new Map<number, Redis>();
  const stop = async () => {
    for (const link of links.values()) link.disconnect();
    await Promise.all(children.map(terminate));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const clusterArgs =
        mode === 'cluster' ? ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000'] : [];
      children.push(await spawnReady([...prefix, 'redis-server', '--port', String(port), '--dir', dir, ...BASE_ARGS, ...clusterArgs], port));
      ports.push(port);
    }
    let roles = new Map<number, 'master' | 'replica'>(ports.map((p) => [p, 'master']));
    if (mode === 'cluster') {
      const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (created.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${created.stdout}${created.stderr}`);
      // Right after the create the replicas still show as masters without slots: wait for all three.
      const settled = async (port: number) =>
        /cluster_state:ok/.test(String(await link(port).call('cluster', 'info'))) &&
        String(await link(port).call('cluster', 'nodes'))
          .trim()
          .split('\n')
          .filter((line) => line.split(' ')[2]!.includes('slave')).length === count / 2;
      for (const port of ports) await until(() => settled(port), 30_000, `cluster_state:ok and ${count / 2} replicas seen by ${port}`);
      // Roles as the cluster sees them (a line per node: id host:port@bus flags …).
      const table = String(await link(ports[0]!).call('cluster', 'nodes'));
      roles = new Map(
        table
          .trim()
          .split('\n')
          .map((line) => {
            const [, address, flags] = line.split(' ');
            return [Number(/:(\d+)@/.exec(address!)?.[1]), flags!.includes('slave') ? 'replica' : 'master'] as const;
          }),
      );
    }
    function link(port: number): Redis {
      let r = links.get(port);
      if (!r) links.set(port, (r = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 })));
      return r;
    }
    const nodes: RedisNode[] = ports.map((port, i) => ({ port, url: `redis://127.0.0.1:${port}`, pid: children[i]!.pid!, role: roles.get(port) ?? 'master' }));
    return {
      mode,
      nodes,
      urls: nodes.map((n) => n.url),
      counters: () => Promise.all(nodes.map(async (n) => parseInfo(n, String(await link(n.port).info('all'))))),
      resetStats: async () => {
        await Promise.all(nodes.map((n) => link(n.port).config('RESETSTAT')));
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function parseInfo(node: RedisNode, info: string): NodeCounters {
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2]);
  return {
    port: node.port,
    role: node.role,
    calls,
    cpuSeconds: field('used_cpu_sys') + field('used_cpu_user'),
    netInputBytes: field('total_net_input_bytes'),
    netOutputBytes: field('total_net_output_bytes'),
    pubsubChannels: field('pubsub_channels'),
    shardChannels: field('pubsubshard_channels'),
    connectedClients: field('connected_clients'),
    usedMemory: field('used_memory'),
  };
}

function spawnReady(argv: string[], port: number): Promise<ChildProcess> {
  const [cmd, ...args] = argv;
  const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  reapOnExit(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => done(new Error(`redis-server on ${port} not ready after 10 s:\n${output}`)), 10_000);
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) done();
    };
    const onExit = () => done(new Error(`redis-server on ${port} exited before it was ready:\n${output}`));
    function done(error?: Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout!.off('data', onOutput).resume();
      child.stderr!.off('data', onOutput).resume();
      if (!error) return resolve(child);
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('exit', onExit);
  });
}

/** SIGTERM and wait; a child killed by a signal has exitCode null and signalCode set. */
export function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
