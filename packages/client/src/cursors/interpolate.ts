// Smoothing for positions that arrive a few dozen times a second and are drawn at the display's
// frame rate. Pure: no DOM, no clock of its own; the caller passes the times (performance.now()).
//
// Each sample gets a display time about one sample interval after it arrived, and the path shown is
// the straight line between consecutive samples at their display times. Showing the past by one
// interval means the next sample is usually already there when the previous one is reached, so the
// cursor keeps moving instead of stopping at every update.

/** A position in two dimensions. */
export interface Point {
  /** Horizontal position, in the caller's units (cursors use 0..1 of the element). */
  readonly x: number;
  /** Vertical position, in the same units. */
  readonly y: number;
}

/** Options of {@link PointInterpolator}; all optional. */
export interface InterpolatorOptions {
  /**
   * How far in the past positions are shown. By default it follows the spacing of the samples (the
   * median of the last 8 gaps, so one hub tick: about 33 ms), between 8 and 250 ms.
   */
  delayMs?: number;
  /** A sample more than this after the previous one is shown at once, without a path to it. @default 500 */
  snapAfterMs?: number;
}

const DEFAULTS = {
  snapAfterMs: 500,
  // Before two samples have come, the hub's default tick.
  firstDelayMs: 33,
  minDelayMs: 8,
  maxDelayMs: 250,
  // Gaps kept to estimate the delay.
  gaps: 8,
  // Path kept behind the newest sample's arrival, for callers whose frame time lags a little.
  keepMs: 100,
};

interface Key extends Point {
  /** Display time. */
  readonly t: number;
}

/**
 * Turns timestamped samples of one moving position into the position to show at any time: a
 * little in the past, on straight lines between the samples, so that updates at 30 Hz move
 * smoothly at 60 frames a second. It never overshoots a sample and never extrapolates: without new
 * samples it comes to rest exactly on the last one. The first sample, and one after a long gap,
 * are shown at once.
 *
 * @example
 * const path = new PointInterpolator();
 * socket.onmessage = (e) => path.push(performance.now(), JSON.parse(e.data));
 * requestAnimationFrame(function frame(now) {
 *   draw(path.at(now));
 *   requestAnimationFrame(frame);
 * });
 */
export class PointInterpolator {
  private keys: Key[] = [];
  private gaps: number[] = [];
  private lastAt = -Infinity;
  private readonly snapAfterMs: number;

  constructor(private readonly options: InterpolatorOptions = {}) {
    this.snapAfterMs = options.snapAfterMs ?? DEFAULTS.snapAfterMs;
  }

  /** How far in the past positions are shown now, in ms: `delayMs`, or the estimate. */
  get delayMs(): number {
    if (this.options.delayMs !== undefined) return this.options.delayMs;
    const gaps = [...this.gaps].sort((a, b) => a - b);
    // The lower median: a pause makes one long gap, never a short one.
    const median = gaps[(gaps.length - 1) >> 1];
    return median === undefined ? DEFAULTS.firstDelayMs : Math.min(Math.max(median, DEFAULTS.minDelayMs), DEFAULTS.maxDelayMs);
  }

  /** When the path ends: from then on {@link at} returns the last sample. `-Infinity` before any. */
  get restsAt(): number {
    return this.keys[this.keys.length - 1]?.t ?? -Infinity;
  }

  /**
   * Adds the position received at time `t` (ms, the clock `at` is called with). Times that go back
   * are taken as the previous one.
   */
  push(t: number, point: Point): void {
    const keys = this.keys;
    const last = keys[keys.length - 1];
    const gap = t - this.lastAt;
    if (!last || !(gap <= this.snapAfterMs)) {
      this.keys = [{ t, x: point.x, y: point.y }];
      this.gaps = [];
      this.lastAt = t;
      return;
    }
    if (gap > 0) {
      this.lastAt = t;
      // Two samples in one read (gap ~0) say nothing about the tick: leave them out of the estimate.
      if (gap >= 1 && this.gaps.push(gap) > DEFAULTS.gaps) this.gaps.shift();
    }
    t = this.lastAt;
    if (last.x === point.x && last.y === point.y) return;
    const delay = this.delayMs;
    // Shown one delay after arrival; when samples bunch up, at least half a delay after the previous
    // one, so each still gets a visible step.
    let due = Math.max(t + delay, last.t + delay / 2);
    if (due > t + 2 * delay) {
      // Too far behind (a long burst, or a delay that just shrank): from where the path is now,
      // straight to the new sample, skipping those still ahead.
      const here = this.at(t)!;
      while (keys[keys.length - 1]!.t > t) keys.pop();
      keys.push({ t, x: here.x, y: here.y });
      due = t + delay;
    } else if (t > last.t) {
      // At rest on the previous sample: start from there now, rather than jump into the new segment.
      keys.push({ t, x: last.x, y: last.y });
    }
    keys.push({ t: due, x: point.x, y: point.y });
    while (keys.length > 2 && keys[1]!.t <= t - DEFAULTS.keepMs) keys.shift();
  }

  /**
   * The position to show at time `t`, or `undefined` before the first sample. Exact for any `t` from
   * shortly before the newest sample's arrival on.
   */
  at(t: number): Point | undefined {
    const keys = this.keys;
    let i = 0;
    while (i < keys.length && keys[i]!.t <= t) i++;
    const a = keys[i - 1];
    const b = keys[i];
    if (!a || !b) {
      const end = a ?? b;
      return end && { x: end.x, y: end.y };
    }
    const f = (t - a.t) / (b.t - a.t);
    return { x: lerp(a.x, b.x, f), y: lerp(a.y, b.y, f) };
  }
}

/** From `a` toward `b`; rounding can never carry it past `b`. */
function lerp(a: number, b: number, f: number): number {
  const v = a + (b - a) * f;
  return a < b ? Math.min(v, b) : Math.max(v, b);
}
