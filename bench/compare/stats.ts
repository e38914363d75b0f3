// Aggregation over repetitions: medians with min–max of each number, percentiles of merged raw samples.
import type { CaseResult, Label } from './scenario.js';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every repetition's value, in run order. */
  runs: number[];
}

export interface SampleSummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Aggregate {
  scenario: string;
  case: string;
  contender: Label;
  reps: number;
  metrics: Record<string, Spread>;
  /** Percentiles of the raw samples of all repetitions merged (never an average of percentiles). */
  samples: Record<string, SampleSummary>;
  info: Record<string, unknown>[];
}

export function spread(values: number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v));
  const sorted = finite.slice().sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs: values };
}

export function percentiles(values: number[]): SampleSummary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN);
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

/** Groups the runs of one scenario by case and contender and aggregates them. */
export function aggregate(scenario: string, runs: { contender: Label; results: CaseResult[] }[]): Aggregate[] {
  const groups = new Map<string, { contender: Label; case: string; list: CaseResult[] }>();
  for (const run of runs) {
    for (const r of run.results) {
      const key = `${r.case}\u0000${run.contender}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { contender: run.contender, case: r.case, list: [] }));
      g.list.push(r);
    }
  }
  return [...groups.values()].map((g) => {
    const metricNames = [...new Set(g.list.flatMap((r) => Object.keys(r.metrics)))];
    const sampleNames = [...new Set(g.list.flatMap((r) => Object.keys(r.samples ?? {})))];
    return {
      scenario,
      case: g.case,
      contender: g.contender,
      reps: g.list.length,
      metrics: Object.fromEntries(metricNames.map((m) => [m, spread(g.list.map((r) => r.metrics[m] ?? NaN))])),
      samples: Object.fromEntries(sampleNames.map((s) => [s, percentiles(g.list.flatMap((r) => r.samples?.[s] ?? []))])),
      info: g.list.map((r) => r.info ?? {}),
    };
  });
}
