// What the orchestrator reads about its children from /proc: CPU time and resident memory. Reading
// from outside costs the measured process nothing and works even when its event loop is flooded.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in seconds (10 ms steps), from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
}

/** CPU seconds of several processes since `start()`, per process, and the wall time elapsed. */
export function cpuWindow(pids: number[]) {
  const t0 = performance.now();
  const c0 = pids.map(cpuSeconds);
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, cpu: pids.map((pid, i) => cpuSeconds(pid) - c0[i]!) };
  };
}
