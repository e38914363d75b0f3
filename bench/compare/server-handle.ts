// How run.ts drives a server: in a child process (the default: the server's CPU is its own), or in
// this very process (`--inproc`: then CPU and memory figures, and profiles, are those of server and
// clients together).
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PATHS, startStack, type Stack } from './servers.js';
import { now, profiler, runGc, type CpuSample } from './util.js';

export interface Usage {
  cpu: CpuSample;
  mem: NodeJS.MemoryUsage;
  connections: number;
}

export interface ServerHandle {
  stack: Stack;
  /** 'child' or 'inproc'. */
  where: 'child' | 'inproc';
  url: string;
  /** Server clock minus this process's clock, in ms (0 in process). */
  clockOffset: number;
  usage(): Promise<Usage>;
  /**
   * CPU time of the server process so far. For a child, read from /proc (10 ms resolution), which
   * works even when the server is too busy to answer; in process, `process.cpuUsage()`.
   */
  cpu(): Promise<CpuSample>;
  /** Write-type system calls (write, writev, sendmsg…) made by the server process so far, from /proc/<pid>/io. */
  writeSyscalls(): number | undefined;
  /** Memory after a full GC. */
  gcMemory(): Promise<NodeJS.MemoryUsage>;
  /**
   * Ghost only: `hub.publish` `count` messages `{ text, n, t }` from the server, at most `window` ahead of
   * what `progress` says was fully delivered. Resolves when the last one was published.
   */
  serverPublish(topic: string, count: number, window: number): { progress(delivered: number): void; done: Promise<unknown> };
  /** Starts the V8 CPU profiler in the server process. */
  profileStart(): Promise<void>;
  /** Stops it and writes the profile to `file` (a .cpuprofile, for Chrome DevTools or profile-summary.ts). */
  profileStop(file: string): Promise<void>;
  close(): Promise<void>;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime and stime of a process in µs, from /proc/<pid>/stat; undefined where there is no /proc. */
function procCpu(pid: number): CpuSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const toUs = (ticks: string) => (Number(ticks) * 1e6) / CLOCK_TICKS;
    return { user: toUs(fields[11]!), system: toUs(fields[12]!) };
  } catch {
    return undefined;
  }
}

/** `syscw` of /proc/<pid>/io: how many write-type system calls the process made. */
function procWrites(pid: number | 'self'): number | undefined {
  try {
    const match = /^syscw:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface StartOptions {
  inproc: boolean;
  /** Where to write a CPU profile of the server during each measured window (`--profile`). */
  profileDir?: string;
}

export async function startServer(stack: Stack, options: StartOptions): Promise<ServerHandle> {
  return options.inproc ? startInProcess(stack) : startChild(stack);
}

function urlFor(stack: Stack, port: number): string {
  return stack === 'socketio' ? `http://127.0.0.1:${port}` : `ws://127.0.0.1:${port}${PATHS[stack]}`;
}

async function startInProcess(stack: Stack): Promise<ServerHandle> {
  const running = await startStack(stack);
  let delivered = 0;
  let pump: (() => void) | undefined;
  return {
    stack,
    where: 'inproc',
    url: urlFor(stack, running.port),
    clockOffset: 0,
    usage: async () => ({ cpu: process.cpuUsage(), mem: process.memoryUsage(), connections: running.connections() }),
    cpu: async () => process.cpuUsage(),
    writeSyscalls: () => procWrites('self'),
    gcMemory: async () => {
      runGc();
      return process.memoryUsage();
    },
    serverPublish(topic, count, window) {
      const publish = running.serverPublish;
      if (!publish) throw new Error(`${stack} has no server-side publish`);
      delivered = 0;
      let sent = 0;
      const done = new Promise<unknown>((resolve, reject) => {
        pump = () => {
          while (sent < count && sent - delivered < window) {
            const n = sent++;
            publish(topic, { text: 'hello', n, t: now() }).catch(reject);
          }
          if (sent >= count) resolve(sent);
        };
        pump();
      });
      return {
        progress: (value) => {
          delivered = value;
          pump?.();
        },
        done,
      };
    },
    profileStart: () => profiler.start(),
    profileStop: (file) => profiler.stop(file),
    close: () => running.close(),
  };
}

async function startChild(stack: Stack): Promise<ServerHandle> {
  const args = ['--expose-gc'];
  // tsx resolves @ghost/* through the root tsconfig paths (to packages/*/src): run from the repo root.
  const child: ChildProcess = spawn(process.execPath, [...args, '--import', 'tsx', fileURLToPath(new URL('./server.ts', import.meta.url)), stack], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
    const w = waiting.get(message.id);
    if (!w) return;
    waiting.delete(message.id);
    if (message.ok) w.resolve(message.result);
    else w.reject(new Error(`server ${stack}: ${message.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const w of waiting.values()) w.reject(new Error(`server ${stack} exited (${code ?? signal})`));
    waiting.clear();
  });
  // A server flooded beyond its capacity may not get back to its event loop for a long time: every
  // call has a deadline.
  const call = <T>(cmd: string, args?: unknown, timeoutMs = 30_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`server ${stack}: no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.send({ id, cmd, args });
    });

  const { port } = await call<{ port: number }>('hello');
  // Clock offset from the round trip with the smallest delay.
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 20; i++) {
    const t0 = now();
    const remote = await call<number>('now');
    const t1 = now();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: remote - (t0 + t1) / 2 };
  }
  return {
    stack,
    where: 'child',
    url: urlFor(stack, port),
    clockOffset: best.offset,
    usage: () => call<Usage>('usage'),
    cpu: async () => procCpu(child.pid!) ?? (await call<Usage>('usage')).cpu,
    writeSyscalls: () => procWrites(child.pid!),
    profileStart: () => call('profile-start'),
    profileStop: (file) => call('profile-stop', { file }, 10_000),
    gcMemory: () => call<NodeJS.MemoryUsage>('gc'),
    serverPublish(topic, count, window) {
      return {
        progress: (delivered) => void child.send({ progress: delivered }),
        done: call('publish', { topic, count, window }),
      };
    },
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
  };
}
