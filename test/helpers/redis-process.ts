// Spawning throwaway redis-server processes: no test runner needed, so benchmarks use it too.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** What to run when the tests need Redis and the machine has none. */
export const INSTALL_REDIS = 'apt-get install -y redis-server';

let available: boolean | undefined;

/** Whether `redis-server` is on PATH (checked once). */
export function redisAvailable(): boolean {
  available ??= spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

export interface RedisServer {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** SIGTERM, and waits until the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no goodbye to clients), and waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts a fresh, empty server on the same port (after `stop` or `kill`). */
  restart(): Promise<void>;
}

/**
 * Spawns a throwaway `redis-server` on a free loopback port: no persistence, nothing shared with a
 * Redis the machine may run on 6379. Stop it in `afterAll`.
 */
export async function startRedisServer(): Promise<RedisServer> {
  if (!redisAvailable()) throw new Error(`redis-server is not on PATH: ${INSTALL_REDIS}`);
  // Another process can take the free port between the probe and the spawn: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      let child = await spawnRedis(port);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: () => terminate(child, 'SIGTERM'),
        kill: () => terminate(child, 'SIGKILL'),
        async restart() {
          await terminate(child, 'SIGTERM');
          child = await spawnRedis(port);
        },
      };
    } catch (error) {
      if (attempt >= 5 || !/in use/i.test(String(error))) throw error;
    }
  }
}

/** A port nobody listens on right now (the OS picks one for port 0, and we let it go). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` on `port` (plus `extraArgs`) and resolves once it accepts connections. */
export function spawnRedis(port: number, extraArgs: string[] = []): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // A test runner that dies must not leave a server behind.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));

  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => settle(new Error(`redis-server on port ${port} not ready after 5 s:\n${output}`)), 5000);
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) settle();
    };
    const onExit = (code: number | null, signal: string | null) =>
      settle(new Error(`redis-server on port ${port} exited (${signal ?? code}) before it was ready:\n${output}`));
    function settle(error?: Error) {
      clearTimeout(timer);
      child.off('exit', onExit).off('error', settle);
      child.stdout!.off('data', onOutput);
      child.stderr!.off('data', onOutput);
      // Keep draining both pipes, or a chatty server blocks on a full one.
      child.stdout!.resume();
      child.stderr!.resume();
      if (!error) return resolve(child);
      child.kill('SIGKILL');
      reject(error);
    }
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('exit', onExit).once('error', settle);
  });
}

/** Sends `signal` and waits for the exit; a child killed by a signal has `exitCode === null` and `signalCode` set. */
export function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
