// Running a real HAProxy (Debian's package) in front of hub processes, for routing tests.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { closeAfterTest } from './cleanup.js';
import { collectLines } from './lines.js';
import { waitFor } from './wait.js';

/** What to run when the tests need HAProxy and the machine has none. */
export const INSTALL_HAPROXY = 'apt-get install -y haproxy';

let binary: string | null | undefined;

/** The haproxy binary: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH); null if absent. */
export function haproxyBinary(): string | null {
  if (binary !== undefined) return binary;
  for (const candidate of ['haproxy', '/usr/sbin/haproxy']) {
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return (binary = candidate);
  }
  return (binary = null);
}

/**
 * `describe` for suites that run HAProxy. Without it the suite is skipped with the fix in its name,
 * except in CI (`CI` set), where it fails: CI must never pass by running nothing.
 */
export function describeIfHaproxy(name: string, body: () => void): void {
  if (haproxyBinary()) describe(name, body);
  else if (process.env.CI) {
    describe(name, () => {
      it('needs haproxy', () => {
        throw new Error(`haproxy is not installed: ${INSTALL_HAPROXY}`);
      });
    });
  } else {
    console.warn(`Skipping "${name}": haproxy is not installed (${INSTALL_HAPROXY})`);
    describe.skip(`${name} (haproxy is not installed: ${INSTALL_HAPROXY})`, body);
  }
}

/** A running HAProxy. */
export interface Haproxy {
  /** What it wrote on stdout and stderr, line by line (for failure messages). */
  lines: string[];
}

/**
 * Writes `config` to a temporary directory, checks it (`haproxy -c`), runs HAProxy in the foreground
 * on it (`-db`) and waits until `port` (a port its config binds) accepts connections. Killed and its
 * directory removed after the test.
 */
export async function startHaproxy(config: string, port: number): Promise<Haproxy> {
  const haproxy = haproxyBinary();
  if (!haproxy) throw new Error(`haproxy is not installed: ${INSTALL_HAPROXY}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'ghost-haproxy-'));
  closeAfterTest(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'haproxy.cfg');
  await writeFile(file, config);

  const check = spawnSync(haproxy, ['-c', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy refused the config:\n${check.stdout}${check.stderr}\n${config}`);

  const child = spawn(haproxy, ['-f', file, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  const exited = new Promise<void>((resolve) => child.once('exit', () => (process.off('exit', reap), resolve())));
  closeAfterTest(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  const lines: string[] = [];
  collectLines(child.stdout!, lines);
  collectLines(child.stderr!, lines);

  // HAProxy says nothing once it listens: probe the port, one connection attempt at a time.
  let listening = false;
  let probe: Promise<void> | undefined;
  try {
    await waitFor(() => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`haproxy exited (${child.exitCode ?? child.signalCode})`);
      probe ??= accepts(port).then((ok) => {
        listening = ok;
        probe = undefined;
      });
      return listening;
    }, 5000, `haproxy to listen on ${port}`);
  } catch (error) {
    throw new Error(`${(error as Error).message}:\n${lines.join('\n')}`);
  }
  return { lines };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
