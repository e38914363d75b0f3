// Spawning a contender's server process, pinned to its own core where `taskset` exists, and reading
// its CPU time and memory from the generator.
import { execSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@ghost/protocol';
import { PATHS, type ServerConfig } from './servers.js';
import type { CpuSample } from './util.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Whether the processes can be pinned: `taskset` on PATH and at least 2 CPUs. */
export const PINNING = os.availableParallelism() >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
/** The server's core and the generator's (and Redis's). */
export const SERVER_CORE = 0;
export const GENERATOR_CORE = 1;

/** Pins this process (every thread of it) to the generator's core; children inherit it. */
export function pinGenerator(): boolean {
  if (!PINNING) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', String(GENERATOR_CORE), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime and stime of a process in µs, from /proc/<pid>/stat (10 ms resolution); undefined without /proc. */
export function procCpu(pid: number): CpuSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const toUs = (ticks: string) => (Number(ticks) * 1e6) / CLOCK_TICKS;
    return { user: toUs(fields[11]!), system: toUs(fields[12]!) };
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in bytes, from /proc (works when the process is too busy to answer). */
export function procRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s*(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface Usage {
  cpu: CpuSample;
  mem: NodeJS.MemoryUsage;
  connections: number;
  buffered: number | undefined;
  extra: Record<string, unknown>;
}

export interface ServerHandle {
  config: ServerConfig;
  pid: number;
  url: string;
  port: number;
  /**
   * The server's `process.cpuUsage()`, asked over IPC; when the server is too flooded to answer within
   * 100 ms, its /proc/<pid>/stat reading taken at the moment of the call (the same counters, 10 ms steps).
   */
  cpu(): Promise<CpuSample>;
  usage(timeoutMs?: number): Promise<Usage>;
  /** Memory after a full GC. */
  gcMemory(): Promise<NodeJS.MemoryUsage>;
  /** `heap`: also sample allocations, written beside the CPU profile as `.heapprofile`. */
  profileStart(options?: { heap?: boolean }): Promise<void>;
  profileStop(file: string): Promise<void>;
  close(): Promise<void>;
  exited: Promise<void>;
}

export function urlFor(config: ServerConfig, port: number): string {
  if (config.contender === 'socketio') return `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`;
  // Ghost's clients speak the newest protocol, as a current @ghost/client does: one shared presence
  // frame per room and tick, own entries included (the generator does not count those, see cursors.ts).
  return `ws://127.0.0.1:${port}${PATHS[config.contender]}${config.contender === 'ghost' ? `?v=${PROTOCOL_VERSION}` : ''}`;
}

export async function startServer(config: ServerConfig, core = SERVER_CORE): Promise<ServerHandle> {
  const node = [process.execPath, '--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url)), JSON.stringify(config)];
  const [cmd, ...args] = PINNING ? ['taskset', '-c', String(core), ...node] : node;
  // tsx resolves @ghost/* through the root tsconfig paths (to packages/*/src): run from the repo root.
  const child: ChildProcess = spawn(cmd!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<{ port: number; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server ${config.contender}: not ready after 30 s`)), 30_000);
    child.on('message', (message: { ready?: boolean; port?: number; pid?: number; error?: string; id?: number; ok?: boolean; result?: unknown }) => {
      if (message.ready !== undefined) {
        clearTimeout(timer);
        if (message.ready) resolve({ port: message.port!, pid: message.pid! });
        else reject(new Error(`server ${config.contender}: ${message.error}`));
        return;
      }
      const w = waiting.get(message.id!);
      if (!w) return;
      waiting.delete(message.id!);
      if (message.ok) w.resolve(message.result);
      else w.reject(new Error(`server ${config.contender}: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server ${config.contender} exited (${code ?? signal}) before it was ready`));
      for (const w of waiting.values()) w.reject(new Error(`server ${config.contender} exited (${code ?? signal})`));
      waiting.clear();
    });
  });
  // A server flooded beyond its capacity may not get back to its event loop for a long time: every
  // call has a deadline.
  const call = <T>(cmd: string, args?: unknown, timeoutMs = 30_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`server ${config.contender}: no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.send({ id, cmd, args });
    });
  const { port, pid } = await ready;
  return {
    config,
    pid,
    port,
    url: urlFor(config, port),
    async cpu() {
      const fromProc = procCpu(pid);
      try {
        return await call<Usage['cpu']>('cpu', undefined, fromProc ? 100 : 30_000);
      } catch (error) {
        if (fromProc) return fromProc;
        throw error;
      }
    },
    usage: (timeoutMs) => call<Usage>('usage', undefined, timeoutMs),
    gcMemory: () => call<NodeJS.MemoryUsage>('gc', undefined, 20_000),
    profileStart: (options) => call('profile-start', options),
    profileStop: (file) => call('profile-stop', { file }, 10_000),
    async close() {
      try {
        await call('close', undefined, 3000);
      } catch {
        // gone, or too busy to answer: killed below
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
    exited,
  };
}
