/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each message takes one.
 * `debt` counts messages refused in a row, so a client that keeps flooding can be told apart from
 * one that was briefly too fast.
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

  /** Takes a token; false when the bucket is empty. */
  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
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
