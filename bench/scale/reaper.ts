// Every process the scale bench starts is killed when the bench exits, however it exits: one 'exit'
// listener for all of them (SIGKILL is all an exiting process can still send).
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const alive = new Set<ChildProcess>();
const dirs = new Set<string>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Removes a scratch directory when this process exits (if nothing removed it before). */
export function removeOnExit(dir: string): void {
  dirs.add(dir);
}

/** Kills `child` when this process exits, unless it is gone by then. */
export function reapOnExit(child: ChildProcess): void {
  alive.add(child);
  child.once('exit', () => alive.delete(child));
}
