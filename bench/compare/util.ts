// Small helpers shared by the comparison bench: clocks, GC, percentiles, tables.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Milliseconds since the Unix epoch with sub-millisecond resolution; comparable across processes up to the offset run.ts measures. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let gcFn: (() => void) | undefined;
/** Full GC, with or without --expose-gc. */
export function runGc(): void {
  if (!gcFn) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gcFn = exposed;
    else {
      v8.setFlagsFromString('--expose-gc');
      gcFn = vm.runInNewContext('gc') as () => void;
    }
  }
  gcFn();
  gcFn();
}

/** Keeps at most `capacity` samples, uniformly chosen (reservoir sampling), so memory stays bounded. */
export class Samples {
  private readonly data: Float64Array;
  private size = 0;
  seen = 0;
  constructor(private readonly capacity = 1_000_000) {
    this.data = new Float64Array(capacity);
  }
  add(value: number): void {
    this.seen += 1;
    if (this.size < this.capacity) {
      this.data[this.size++] = value;
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.capacity) this.data[slot] = value;
  }
  reset(): void {
    this.size = 0;
    this.seen = 0;
  }
  /** p50, p99 etc. of what was kept; NaN when empty. */
  percentiles(...ps: number[]): number[] {
    if (this.size === 0) return ps.map(() => NaN);
    const sorted = this.data.slice(0, this.size).sort();
    return ps.map((p) => sorted[Math.min(this.size - 1, Math.max(0, Math.ceil((p / 100) * this.size) - 1))]!);
  }
}

export interface CpuSample {
  user: number;
  system: number;
}

/** CPU seconds between two `process.cpuUsage()` readings. */
export function cpuSeconds(before: CpuSample, after: CpuSample): number {
  return (after.user - before.user + after.system - before.system) / 1e6;
}

/** Rounds for display and JSON: 3 significant digits, at least integers kept whole. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 10 ** digits) return Math.round(value);
  return Number(value.toPrecision(digits));
}

export function ratio(a: number | undefined, b: number | undefined): number | null {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return round(a / b, 3);
}

/** A plain text table: first row is the header. */
export function table(rows: (string | number | null | undefined)[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '–' : typeof cell === 'number' ? fmt(cell) : cell)));
  const widths = text[0]!.map((_, i) => Math.max(...text.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(text[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...text.slice(1).map(line)].join('\n');
}

function fmt(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  const r = round(value);
  return Math.abs(r) >= 10_000 ? Math.round(r).toLocaleString('en-US') : String(r);
}

/**
 * The V8 CPU profiler of this process, through the inspector: profiles exactly a measured window. With
 * `heap`, V8's sampling heap profiler runs beside it and keeps what minor and major GCs collected, so
 * the `.heapprofile` written next to the CPU profile shows every allocation of the window, not only
 * what outlived it.
 */
export const profiler = {
  session: undefined as Session | undefined,
  heap: false,
  async start(heap = false): Promise<void> {
    this.session ??= new Session();
    this.session.connect();
    this.heap = heap;
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.session.post('Profiler.start');
    if (heap) {
      // includeObjectsCollectedBy*: in V8's protocol, not yet in Node 20's inspector types.
      const params = { samplingInterval: 4096, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true };
      await this.session.post('HeapProfiler.startSampling', params as { samplingInterval: number });
    }
  },
  async stop(file: string): Promise<void> {
    const session = this.session;
    if (!session) return;
    const { profile } = await session.post('Profiler.stop');
    await session.post('Profiler.disable');
    const heap = this.heap ? (await session.post('HeapProfiler.stopSampling')).profile : undefined;
    session.disconnect();
    this.session = undefined;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    if (heap) writeFileSync(file.replace(/\.cpuprofile$/, '.heapprofile'), JSON.stringify(heap));
  },
};
