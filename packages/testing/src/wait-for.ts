/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** How long to keep checking before failing. @default 5000 */
  timeoutMs?: number;
  /** How often to check. @default 10 */
  intervalMs?: number;
  /** What is awaited, for the error message. @default 'condition' */
  what?: string;
}

/**
 * Resolves with the first truthy value `check` returns, checking every `intervalMs`; rejects after
 * `timeoutMs`. For what a realtime test cannot await directly, such as a subscription reaching the hub
 * (`hub.stats().topics`) or another client seeing a presence update.
 *
 * @example
 * bob.topic('news').subscribe(onNews);
 * await waitFor(() => hub.hub.stats().topics === 1, { what: 'the subscription' });
 */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | 0 | '' | null | undefined>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
  }
}
