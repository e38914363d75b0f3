// Every process the scale bench starts is killed when the bench exits, however it exits: one 'exit'
// listener for all of them (SIGKILL is all an exiting process can still send).
import type { ChildProcess } from 'node:child_process';

const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

/** Kills `child` when this process exits, unless it is gone by then. */
export function reapOnExit(child: ChildProcess): void {
  alive.add(child);
  child.once('exit', () => alive.delete(child));
}
