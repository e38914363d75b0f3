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
 * Waits out a window in which something must NOT happen. Only for an absence that no later event can
 * prove (a barrier: something sent after it on the same ordered path, then waited for); say at the call
 * why none fits.
 */
export const quietFor = (ms: number) => sleep(ms);
