// What tests open (hubs, clients, servers) is closed after each test by the setup file, so no test
// file repeats the same afterEach and nothing leaks into the next test when an assertion fails early.
const closers: (() => Promise<unknown> | unknown)[] = [];

/** Registers something to close after the current test; later registrations close first. */
export function closeAfterTest(close: () => Promise<unknown> | unknown): void {
  closers.push(close);
}

/** Closes everything registered, newest first. Called by the setup file after each test. */
export async function closeAll(): Promise<void> {
  while (closers.length > 0) await closers.pop()!();
}
