// Runs ghost-hub as a child process, the way an operator does, and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { collectLines } from '../../../test/helpers/lines.js';

const folder = fileURLToPath(new URL('..', import.meta.url));
/** The built command, as npm installs it (`npm run build` makes it). */
export const BUILT_BIN = `${folder}dist/cli.js`;
export const hasBuild = existsSync(BUILT_BIN);

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
 * Starts `ghost-hub` from its sources (`node --import tsx src/cli.ts`), or the built bin with
 * `{ built: true }`; SIGKILLed after the test if still running.
 */
export function startHubProcess(args: string[], env: Record<string, string> = {}, options: { built?: boolean } = {}): HubProcess {
  const command = options.built ? [BUILT_BIN] : ['--import', 'tsx', 'src/cli.ts'];
  const child = spawn(process.execPath, [...command, ...args], {
    cwd: folder, // where tsconfig.json maps @ghost/* to the workspace sources
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
