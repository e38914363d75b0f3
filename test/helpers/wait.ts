/** Waits until `check` returns a truthy value (polled every 10 ms) and returns it; fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `waitFor` for a check that has to ask something asynchronous (Redis, an HTTP endpoint, an adapter):
 * asked again `intervalMs` after each answer until it is truthy; fails after `timeoutMs`.
 */
export async function waitForAsync<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5000, what = 'condition', intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * A window in which the test then asserts that something did NOT happen. Only for what no later event
 * on the same path can rule out (a barrier: "the later message arrived, so the earlier one did not");
 * say at the call what would have shown up within it.
 */
export const quietFor = (ms: number): Promise<void> => sleep(ms);
