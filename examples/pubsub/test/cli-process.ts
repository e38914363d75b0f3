// Runs the pub/sub CLI as a child process, the way a person runs it: `node --import tsx cli.ts …`.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collectLines } from '../../../test/helpers/lines.js';

const folder = fileURLToPath(new URL('..', import.meta.url));

/** A running CLI with the lines it printed so far. */
export interface Cli {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Resolves with its exit code (null when a signal ended it), once its output is all read. */
  exited: Promise<number | null>;
  /** SIGINT (Ctrl-C), then SIGKILL if it still runs after 5 s. */
  stop(): Promise<number | null>;
}

/** Starts `cli.ts` (or another script of the demo) with `args`, and these environment variables. */
export function startCli(args: string[], env: Record<string, string>, script = 'cli.ts'): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: folder, // where tsconfig.json maps @ghost/* to the workspace sources
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  collectLines(child.stdout!, stdout);
  collectLines(child.stderr!, stderr);
  // 'close' comes after the output was read to its end.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // A child killed by a signal has exitCode null and signalCode set: check both.
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    stdout,
    stderr,
    exited,
    stop: async () => {
      if (running()) child.kill('SIGINT');
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), 5_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs the CLI to its end. */
export async function runCli(args: string[], hubUrl: string): Promise<{ code: number | null; stdout: string[]; stderr: string[] }> {
  const cli = startCli(args, { GHOST_URL: hubUrl });
  const timer = setTimeout(() => void cli.stop(), 20_000);
  const code = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout, stderr: cli.stderr };
}
