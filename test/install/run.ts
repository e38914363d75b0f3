// Child processes for the install test: npm, node and tsc in the throwaway app, never in the workspace.
import { execFile } from 'node:child_process';

/** The environment of a child npm/node: without the npm_* variables of an enclosing `npm test`, which would point npm at the workspace. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_OPTIONS' || key.startsWith('VITEST') || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  return env;
}

/** What a finished child process left. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command; never rejects: the caller looks at `code`. */
export function run(command: string, args: string[], cwd: string, timeoutMs = 180_000): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr), ms: Date.now() - started });
    });
  });
}

/** Runs a command that must succeed; throws with its output otherwise. */
export async function must(command: string, args: string[], cwd: string, timeoutMs?: number): Promise<Run> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const firstLines = (text: string, n = 4) => text.split('\n').filter((line) => line.trim() !== '').slice(0, n).join(' | ');
