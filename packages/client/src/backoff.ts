/** How long to wait between reconnect attempts. */
export interface BackoffOptions {
  /** Ceiling of the first delay. @default 250 */
  minDelayMs: number;
  /** Ceiling of every delay. @default 10000 */
  maxDelayMs: number;
  /** Growth of the ceiling per failed attempt. @default 2 */
  factor: number;
  /**
   * Where each delay falls between 0 and its ceiling: a number from 0 to 1, the share of the ceiling.
   * Replace it only to make the delays predictable (a test): `() => 1` waits each ceiling in full.
   * @default Math.random
   */
  random?: () => number;
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ minDelayMs: 250, maxDelayMs: 10_000, factor: 2 });

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential with full jitter, a
 * random point between 0 and the ceiling, so a hub restart does not bring every client back at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = options.random ?? Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** Math.max(0, attempt));
  return Math.round(random() * ceiling);
}
