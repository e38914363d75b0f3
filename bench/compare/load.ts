// What every scenario shares: the pacer that sends at a fixed rate, the probes that decode stamps and
// sequence numbers, and the measured window (server and generator CPU).
import type { ServerHandle } from './server-handle.js';
import { cpuSeconds, type CpuSample } from './util.js';

/** The generator's clock, in ms; stamps in payloads use it, and only this process reads them. */
export const clock = () => performance.now();
/** A stamp for a payload: the generator's clock with 0.01 ms steps. */
export const stamp = () => clock().toFixed(2);

/**
 * Calls `send(k)` for k = 0, 1, 2, … at `rate` per second, spread over `slots` timer turns per period
 * (so that 1000 clients at 30 Hz do not all send in the same millisecond). `send(k, slot)` gets the
 * slot so callers can shard their clients over it. Stops at `stop()`.
 */
export function pace(rate: number, send: (k: number) => void): { stop(): number } {
  const started = performance.now();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const due = Math.floor(((performance.now() - started) * rate) / 1000) + 1;
    while (sent < due) send(sent++);
    timer = setTimeout(tick, Math.max(0, started + (sent * 1000) / rate - performance.now()));
  };
  tick();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      return sent;
    },
  };
}

/** Latency samples and order checks of what the probe clients received, per source (sender). */
export class Probe {
  readonly latency: number[] = [];
  /** Sequence numbers skipped (for streams where every number is due; not for coalesced cursors). */
  gaps = 0;
  /** A number lower than one already seen from the same source: reordered, or an older state overwriting a newer one. */
  regressions = 0;
  duplicates = 0;
  received = 0;
  private readonly last = new Map<number, number>();
  constructor(readonly maxSamples = 200_000) {}

  record(source: number, seq: number, sentAt: number, at: number): void {
    this.received += 1;
    if (this.latency.length < this.maxSamples) this.latency.push(at - sentAt);
    const last = this.last.get(source);
    if (last !== undefined) {
      if (seq === last) this.duplicates += 1;
      else if (seq < last) {
        this.regressions += 1;
        return;
      } else if (seq > last + 1) this.gaps += seq - last - 1;
    }
    this.last.set(source, seq);
  }

  reset(): void {
    this.latency.length = 0;
    this.gaps = this.regressions = this.duplicates = this.received = 0;
    this.last.clear();
  }
}

/** Merges probes' counters and samples. */
export function mergeProbes(probes: Probe[]): { latency: number[]; gaps: number; regressions: number; duplicates: number; received: number } {
  const out = { latency: [] as number[], gaps: 0, regressions: 0, duplicates: 0, received: 0 };
  for (const p of probes) {
    for (const v of p.latency) out.latency.push(v);
    out.gaps += p.gaps;
    out.regressions += p.regressions;
    out.duplicates += p.duplicates;
    out.received += p.received;
  }
  return out;
}

export interface WindowCpu {
  seconds: number;
  /** Per server: CPU seconds (user + system), and of it user. */
  server: { cpu: number; user: number }[];
  generator: number;
}

/** Starts a measured window: reads the CPU counters of the servers and of this process. */
export async function startWindow(servers: ServerHandle[]): Promise<() => Promise<WindowCpu>> {
  const before: CpuSample[] = await Promise.all(servers.map((s) => s.cpu()));
  const genBefore = process.cpuUsage();
  const t0 = performance.now();
  return async () => {
    const seconds = (performance.now() - t0) / 1000;
    const genAfter = process.cpuUsage();
    const after: CpuSample[] = await Promise.all(servers.map((s) => s.cpu()));
    return {
      seconds,
      server: after.map((a, i) => ({ cpu: cpuSeconds(before[i]!, a), user: (a.user - before[i]!.user) / 1e6 })),
      generator: cpuSeconds(genBefore, genAfter),
    };
  };
}

/** Waits until `done()` or `ms` passed, polling every 20 ms. */
export async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** WebSocket frame header bytes of a server→client frame of `length` payload bytes. */
export const header = (length: number) => (length < 126 ? 2 : length < 65536 ? 4 : 10);
