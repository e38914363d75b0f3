// What it guards: the memory adapter's claims, which chat names rest on, are exclusive per key until released or expired.
import { afterEach, expect, it, vi } from 'vitest';
import { createMemoryBus, memoryAdapter } from '@ghost/server';

afterEach(() => {
  vi.useRealTimers();
});

it('claims are exclusive per key until released or expired; the same owner refreshes', async () => {
  // Expiry is read from the clock: set it rather than wait it out.
  vi.useFakeTimers({ toFake: ['Date'] });
  const start = Date.now();
  const bus = createMemoryBus();
  const a = memoryAdapter({ bus });
  const b = memoryAdapter({ bus });
  await a.start({ nodeId: 'a', onError: () => undefined });
  await b.start({ nodeId: 'b', onError: () => undefined });
  expect(await a.claim('name:fishing:ada', 'a1', 10_000)).toBe(true);
  expect(await b.claim('name:fishing:ada', 'b1', 10_000)).toBe(false);
  expect(await a.claim('name:fishing:ada', 'a1', 10_000)).toBe(true);
  await b.release('name:fishing:ada', 'b1'); // not the owner: no effect
  expect(await b.claim('name:fishing:ada', 'b1', 10_000)).toBe(false);
  await a.release('name:fishing:ada', 'a1');
  expect(await b.claim('name:fishing:ada', 'b1', 20)).toBe(true);
  vi.setSystemTime(start + 19);
  expect(await a.claim('name:fishing:ada', 'a1', 10_000)).toBe(false);
  vi.setSystemTime(start + 21);
  expect(await a.claim('name:fishing:ada', 'a1', 10_000)).toBe(true);
});
