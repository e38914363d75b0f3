import { describe, expect, it } from 'vitest';
import { PointInterpolator, type Point } from '../src/cursors/interpolate.js';

type Sample = readonly [t: number, point: Point];

/**
 * Plays `samples` and `frames` in time order, as a page would: at each frame time, first the samples
 * that arrived by then, then the position shown. Returns the positions, one per frame.
 */
function play(path: PointInterpolator, samples: readonly Sample[], frames: readonly number[]): Point[] {
  let next = 0;
  return [...frames].sort((a, b) => a - b).map((t) => {
    for (; next < samples.length && samples[next]![0] <= t; next++) path.push(...samples[next]!);
    return path.at(t)!;
  });
}

/** Times from `from` to `to`, both included, every `step` ms. */
const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

/** All samples fed at once (for checks of the newest part of the path only). */
function feed(samples: readonly Sample[], options?: ConstructorParameters<typeof PointInterpolator>[0]): PointInterpolator {
  const path = new PointInterpolator(options);
  for (const sample of samples) path.push(...sample);
  return path;
}

const zip = (times: number[], points: Point[]): Sample[] => times.map((t, i) => [t, points[i]!] as const);
const line = (n: number): Point[] => Array.from({ length: n }, (_, i) => ({ x: i / 10, y: 1 - i / 10 }));
const every = (n: number, ms: number, start = 1000): number[] => Array.from({ length: n }, (_, i) => start + i * ms);

describe('PointInterpolator', () => {
  it('shows nothing before the first sample, and the first sample at once', () => {
    const path = new PointInterpolator();
    expect(path.at(0)).toBeUndefined();
    expect(path.restsAt).toBe(-Infinity);
    path.push(1000, { x: 0.25, y: 0.5 });
    expect(path.at(1000)).toEqual({ x: 0.25, y: 0.5 });
    expect(path.at(999)).toEqual({ x: 0.25, y: 0.5 });
    expect(path.at(5000)).toEqual({ x: 0.25, y: 0.5 });
    expect(path.restsAt).toBe(1000);
  });

  it('shows each sample exactly one interval after it arrived, when samples come regularly', () => {
    const times = every(8, 33);
    const points = line(8);
    const path = new PointInterpolator();
    const shown = play(path, zip(times, points), times.slice(1).map((t) => t + 33));
    expect(shown).toEqual(points.slice(1));
    expect(path.delayMs).toBe(33);
    expect(path.restsAt).toBe(times[7]! + 33);
  });

  it('lands exactly on each sample at its display time with a fixed delay', () => {
    const times = every(6, 40);
    const points = line(6);
    const shown = play(new PointInterpolator({ delayMs: 50 }), zip(times, points), times.slice(1).map((t) => t + 50));
    expect(shown).toEqual(points.slice(1));
  });

  it('moves in between: intermediate positions on the straight line between two samples', () => {
    const path = feed([[1000, { x: 0, y: 0 }], [1033, { x: 0.6, y: 0.3 }]]);
    const middle = path.at(1033 + 33 / 2)!;
    expect(middle.x).toBeGreaterThan(0);
    expect(middle.x).toBeLessThan(0.6);
    expect(middle.y).toBeCloseTo(middle.x / 2, 12); // on the line
  });

  it('draws many more distinct positions at 60 fps than samples arriving at 30 Hz', () => {
    const samples = zip(every(15, 1000 / 30), Array.from({ length: 15 }, (_, i) => ({ x: i / 20, y: 0 })));
    const path = new PointInterpolator();
    const shown = play(path, samples, range(1000, 1700, 1000 / 60));
    expect(new Set(shown.map((p) => p.x)).size).toBeGreaterThanOrEqual(25);
    expect(shown.at(-1)).toEqual({ x: 14 / 20, y: 0 });
  });

  it('follows a monotonic path between samples, and never overshoots the last one', () => {
    const xs = [0.1, 0.15, 0.3, 0.3001, 0.5, 0.7, 0.71, 0.9, 0.95, 0.97];
    const shown = play(new PointInterpolator(), zip(every(10, 33), xs.map((x) => ({ x, y: 0.5 }))), range(1000, 1600, 0.25)).map((p) => p.x);
    for (let i = 1; i < shown.length; i++) expect(shown[i]!).toBeGreaterThanOrEqual(shown[i - 1]!);
    expect(Math.min(...shown)).toBe(0.1);
    expect(Math.max(...shown)).toBe(0.97);
    expect(shown.at(-1)).toBe(0.97);
    for (const x of xs) expect(shown).toContain(x); // it passes through every sample
  });

  it('stays between consecutive samples on every segment, also when it turns back', () => {
    const points = [{ x: 0.2, y: 0.2 }, { x: 0.8, y: 0.3 }, { x: 0.1, y: 0.9 }, { x: 0.5, y: 0.5 }, { x: 0.5, y: 0.1 }, { x: 0.3, y: 0.3 }];
    const times = every(6, 30);
    const shown = play(new PointInterpolator(), zip(times, points), range(1000, 1400, 0.25));
    const within = (v: number, a: number, b: number) => v >= Math.min(a, b) && v <= Math.max(a, b);
    // Segment i (from sample i-1 to sample i) is shown from times[i] to times[i] + 30: the position is
    // always in the box of those two samples.
    shown.forEach((p, k) => {
      const t = 1000 + k * 0.25;
      const i = Math.min(Math.max(Math.ceil((t - 1030) / 30), 1), 5);
      const a = points[i - 1]!;
      const b = points[i]!;
      expect(within(p.x, a.x, b.x) && within(p.y, a.y, b.y), `at ${t}: ${JSON.stringify(p)}`).toBe(true);
    });
    // The rounding of a straight line never carries it past either end (tricky decimals).
    const tricky = feed([[0, { x: 0.1, y: 0.7 }], [10, { x: 0.7, y: 0.1 }]], { delayMs: 10 });
    for (let t = 10; t <= 20; t += 0.001) {
      const p = tricky.at(t)!;
      expect(within(p.x, 0.1, 0.7) && within(p.y, 0.1, 0.7)).toBe(true);
    }
  });

  it('comes to rest exactly on the last sample and stays there', () => {
    const times = every(5, 33);
    const points = line(5);
    const path = feed(zip(times, points));
    const rest = path.restsAt;
    expect(rest).toBe(times[4]! + 33);
    expect(path.at(rest - 1)).not.toEqual(points[4]);
    expect(path.at(rest)).toEqual(points[4]);
    expect(path.at(rest + 1)).toEqual(points[4]);
    expect(path.at(rest + 60_000)).toEqual(points[4]);
  });

  it('snaps to a sample after a long gap, and estimates the delay afresh', () => {
    const path = feed(zip([1000, 1033, 1066], line(3)));
    path.push(1066 + 501, { x: 0.9, y: 0.9 });
    expect(path.at(1066 + 501)).toEqual({ x: 0.9, y: 0.9 });
    expect(path.restsAt).toBe(1567);
    expect(path.delayMs).toBe(33); // no gaps known: the first guess
    // A gap just under the limit still moves.
    const moving = feed(zip([1000, 1033], line(2)));
    moving.push(1033 + 480, { x: 0.9, y: 0.9 });
    expect(moving.at(1033 + 480)).toEqual(line(2)[1]);
    expect(moving.at(1033 + 480 + 1)).not.toEqual(line(2)[1]);
    expect(moving.at(1033 + 480 + 100)).toEqual({ x: 0.9, y: 0.9 });
  });

  it('honours snapAfterMs', () => {
    const path = feed(zip([1000, 1100], line(2)), { snapAfterMs: 50 });
    expect(path.at(1100)).toEqual(line(2)[1]);
  });

  it('starts moving from where it rests when a sample comes late, without a jump', () => {
    const path = feed(zip([1000, 1033, 1066], line(3)));
    // At rest on sample 2 from 1099; the next sample comes 60 ms late.
    expect(path.at(1140)).toEqual(line(3)[2]);
    path.push(1160, { x: 0.5, y: 0.5 });
    expect(path.at(1160)).toEqual(line(3)[2]);
    const soon = path.at(1162)!;
    expect(soon.x - 0.2).toBeGreaterThan(0);
    expect(soon.x - 0.2).toBeLessThan(0.05);
    expect(path.at(1160 + path.delayMs)).toEqual({ x: 0.5, y: 0.5 });
  });

  it('handles irregular spacing: samples in a burst each get a visible step, and the lag stays bounded', () => {
    const path = new PointInterpolator();
    const samples: Sample[] = [
      ...zip([1000, 1033, 1066, 1099], line(4)),
      // Three samples arrive within a millisecond.
      ...zip([1132, 1132.1, 1132.2], line(7).slice(4)),
    ];
    const xs = play(path, samples, range(1000, 1400, 0.5)).map((p) => p.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
    for (const x of [0.4, 0.5, 0.6]) expect(xs).toContain(x); // each sample is shown, none skipped
    expect(path.restsAt - 1132.2).toBeLessThanOrEqual(2 * 33); // never more than two delays behind
    expect(path.delayMs).toBe(33); // a burst does not shrink the estimate
    // Gaps of 20 to 60 ms: still monotonic, through every sample, ending on the last.
    const jittery = [0, 20, 80, 100, 160, 175, 240, 260, 300].map((t) => 2000 + t);
    const points = jittery.map((_, i) => ({ x: i / 10, y: 0 }));
    const shownX = play(new PointInterpolator(), zip(jittery, points), range(2000, 2600, 0.5)).map((p) => p.x);
    for (let i = 1; i < shownX.length; i++) expect(shownX[i]!).toBeGreaterThanOrEqual(shownX[i - 1]!);
    for (const { x } of points) expect(shownX).toContain(x);
    expect(shownX.at(-1)).toBe(0.8);
  });

  it('after a pause, a delay that shrinks neither jumps nor falls behind', () => {
    // One sample, a 200 ms pause (first estimate: 200 ms), then 30 Hz (estimate: 33 ms).
    const times = [1000, 1200, ...every(12, 33, 1233)];
    const points = times.map((_, i) => ({ x: i / 100, y: 0 }));
    const path = new PointInterpolator();
    const xs = play(path, zip(times, points), range(1000, 1800, 0.5)).map((p) => p.x);
    for (let i = 1; i < xs.length; i++) {
      expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
      expect(xs[i]! - xs[i - 1]!).toBeLessThan(0.002); // steps of 0.01 per sample: no jump
    }
    expect(path.restsAt - times.at(-1)!).toBeLessThanOrEqual(2 * 33);
    expect(xs.at(-1)).toBe(points.at(-1)!.x);
  });

  it('a long burst skips ahead from where it is, without a jump, and stays at most two delays behind', () => {
    const path = new PointInterpolator();
    const samples: Sample[] = [
      ...zip(every(4, 33), line(4)),
      ...zip([1132, 1132, 1132, 1132, 1132, 1132], line(10).slice(4)),
    ];
    const xs = play(path, samples, range(1000, 1400, 0.5)).map((p) => p.x);
    for (let i = 1; i < xs.length; i++) {
      expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
      expect(xs[i]! - xs[i - 1]!).toBeLessThan(0.05);
    }
    expect(path.restsAt - 1132).toBeLessThanOrEqual(2 * 33);
    expect(xs.at(-1)).toBe(0.9);
  });

  it('estimates the delay from the typical gap, not from pauses', () => {
    expect(feed(zip([0, 50, 100, 150, 400, 450, 500, 550], line(8))).delayMs).toBe(50);
    expect(feed(zip(every(9, 10, 0), line(9))).delayMs).toBe(10);
    expect(feed(zip([0, 400, 800], line(3))).delayMs).toBe(250); // capped
    expect(feed(zip(every(5, 2, 0), line(5))).delayMs).toBe(8); // floored
  });

  it('ignores duplicates: the same position again, and the same time again', () => {
    const path = feed(zip([1000, 1033, 1066], line(3)));
    const before = range(1066, 1200).map((t) => path.at(t));
    path.push(1099, line(3)[2]!); // same place: nothing new to show
    expect(range(1066, 1200).map((t) => path.at(t))).toEqual(before);
    path.push(1099, line(3)[2]!);
    expect(path.at(1200)).toEqual(line(3)[2]);
    // Same time, new place: it moves there, without going back in time.
    path.push(1099, { x: 0.5, y: 0.5 });
    expect(path.at(1099 + 2 * 33)).toEqual({ x: 0.5, y: 0.5 });
    const xs = range(1099, 1250).map((t) => path.at(t)!.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeGreaterThanOrEqual(xs[i - 1]!);
  });

  it('takes a time that goes back as the previous one', () => {
    const path = feed(zip([1000, 1033], line(2)));
    path.push(1010, { x: 0.5, y: 0.5 });
    expect(path.at(1033 + 2 * 33)).toEqual({ x: 0.5, y: 0.5 });
    expect(path.at(1033)).toEqual(line(2)[0]); // the segment before is untouched
  });

  it('keeps a bounded path however long it runs', () => {
    const path = new PointInterpolator();
    for (let i = 0; i < 10_000; i++) path.push(i * 33, { x: (i % 100) / 100, y: 0 });
    expect((path as unknown as { keys: unknown[] }).keys.length).toBeLessThan(10);
    expect(path.at(9999 * 33 + 33)).toEqual({ x: 0.99, y: 0 });
  });
});
