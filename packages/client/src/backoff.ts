/** How long to wait between reconnect attempts. */
export interface BackoffOptions {
  /** Ceiling of the first delay. @default 250 */
  minDelayMs: number;
  /** Ceiling of every delay. @default 10000 */
  maxDelayMs: number;
  /** Growth of the ceiling per failed attempt. @default 2 */
  factor: number;
}

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ minDelayMs: 250, maxDelayMs: 10_000, factor: 2 });

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential with full jitter, a
 * random point between 0 and the ceiling, so a hub restart does not bring every client back at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * options.factor ** Math.max(0, attempt));
  return Math.round(random() * ceiling);
}
