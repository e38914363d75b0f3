/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each message takes one.
 * `debt` counts messages refused in a row, so a client that keeps flooding can be told apart from
 * one that was briefly too fast.
 *
 * The bucket judges the client's sending, not the hub's lateness: when the hub's event loop ran
 * `lateMs` behind, the frames a client sent meanwhile were read together, in one burst the client did
 * not make. So for as long as the lateness is recent, the bucket may hold, on top of `burst`, what the
 * rate refills in `lateMs`: a client within its rate is never refused for the hub's stall, and a
 * client above it still is.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Messages refused since the last one accepted. */
  debt = 0;

  constructor(private readonly ratePerSecond: number, private readonly burst: number, now = Date.now()) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes `tokens` more from what the last `take` allowed; the bucket may go below empty, so the cost is paid later. */
  charge(tokens: number): void {
    this.tokens -= tokens;
  }

  /** Takes a token; false when the bucket is empty. `lateMs`: how late the hub's loop ran lately (see {@link LoopLag}). */
  take(now = Date.now(), lateMs = 0): boolean {
    const cap = this.burst + (lateMs / 1000) * this.ratePerSecond;
    this.tokens = Math.min(cap, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.debt = 0;
      return true;
    }
    this.debt += 1;
    return false;
  }
}

/** How often {@link LoopLag} checks the event loop. */
export const LAG_PROBE_MS = 20;
/** How long a stall is remembered: the frames it held back are read within this. */
export const LAG_MEMORY_MS = 2000;

/**
 * How late the event loop runs, for the rate limit: a timer every {@link LAG_PROBE_MS} notes how far
 * past its time it fired. `lateMs(now)` is the worst lateness of the last {@link LAG_MEMORY_MS}, or the
 * time the probe has been waiting right now (a stall still under way, its frames read before the
 * timer could run).
 */
export class LoopLag {
  private lastTick = Date.now();
  private worst = 0;
  private worstAt = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = Date.now();
      this.note(now - this.lastTick - LAG_PROBE_MS, now);
      this.lastTick = now;
    }, LAG_PROBE_MS).unref();
  }

  /** Milliseconds the loop ran late lately (0 when it keeps time). */
  lateMs(now = Date.now()): number {
    const current = now - this.lastTick - LAG_PROBE_MS;
    const recent = now - this.worstAt <= LAG_MEMORY_MS ? this.worst : 0;
    return Math.max(0, current, recent);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private note(late: number, now: number): void {
    if (late > this.worst || now - this.worstAt > LAG_MEMORY_MS) {
      this.worst = Math.max(0, late);
      this.worstAt = now;
    }
  }
}
