// Runs ghost-hub as a child process, the way an operator does, and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { collectLines } from '../../../test/helpers/lines.js';

/** The `ghost-hub` bin as npm links it; in the repository it runs the sources, so no build is needed. */
export const BIN = fileURLToPath(new URL('../bin/ghost-hub.js', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  /** Every stdout line, parsed (a line that is not JSON fails the test that reads it). */
  logs: Record<string, unknown>[];
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a log line with this `event` and returns it. */
  event(name: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The port it listens on, from its `listening` line. */
  port(): Promise<number>;
}

/**
 * Starts `ghost-hub` through its bin (from the sources, in the repository); SIGKILLed after the test if
 * still running.
 */
export function startHubProcess(args: string[], env: Record<string, string> = {}): HubProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  collectLines(child.stdout!, stdout);
  collectLines(child.stderr!, stderr);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })));
  closeAfterTest(async () => {
    // A child killed by a signal has exitCode null and signalCode set: check both.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const logs = () => stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
  const event = (name: string, timeoutMs = 15_000) =>
    waitFor(() => logs().find((line) => line.event === name), timeoutMs, `ghost-hub to log "${name}" (stderr: ${stderr.join('\n')})`);
  return {
    child,
    get logs() {
      return logs();
    },
    stdout,
    stderr,
    exited,
    event,
    port: async () => (await event('listening')).port as number,
  };
}
