// A child process of the scale bench (hub node or generator) with a request/answer channel over IPC.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reapOnExit } from './reaper.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Child<Ready> {
  pid: number;
  ready: Ready;
  request<T>(cmd: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Asks it to close, then SIGKILL after `graceMs`; resolves when it is gone. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node [--expose-gc] --import tsx <script> <config JSON>` from the repository root (tsx maps
 * @ghost/* to the sources), behind `prefix` (taskset, prlimit), and waits for its `ready` message.
 */
export async function spawnChild<Ready>(script: string, config: unknown, prefix: string[], name: string): Promise<Child<Ready>> {
  const argv = [...prefix, process.execPath, '--expose-gc', '--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), JSON.stringify(config)];
  // Its own session (detached: setsid), hence on Linux its own scheduler autogroup: on a machine
  // shared with other work, a hub gets a session's fair share of CPU instead of splitting one share
  // with every other process of the bench. It still exits with the bench (IPC disconnect, reaper).
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
  reapOnExit(child);
  // A child that died cannot be written to: its requests fail below, not as an 'error' event.
  child.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let nextId = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  const ready = await new Promise<Ready & { pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after 60 s`)), 60_000);
    void exited.then(() => reject(new Error(`${name}: exited before it was ready`)));
    child.on('message', (message: { ready?: boolean; error?: string; id?: number; ok?: boolean; result?: unknown }) => {
      if (message.ready !== undefined) {
        clearTimeout(timer);
        if (message.ready) resolve(message as unknown as Ready & { pid: number });
        else reject(new Error(`${name}: ${message.error}`));
        return;
      }
      const waiter = waiting.get(message.id!);
      if (!waiter) return;
      waiting.delete(message.id!);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
  });
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`${name}: exited`));
    waiting.clear();
  });
  const request = <T>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 30_000) =>
    new Promise<T>((resolve, reject) => {
      if (!child.connected) return reject(new Error(`${name}: gone`));
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`${name}: no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ id, cmd, ...args });
    });
  return {
    // The pid of node itself: taskset and prlimit exec it, so it is the child's pid.
    pid: ready.pid,
    ready,
    request,
    async close(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      request('close', {}, graceMs).catch(() => undefined);
      await exited;
      clearTimeout(timer);
    },
  };
}
