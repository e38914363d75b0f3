import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, createClient } from '@ghost/client';

describe('backoffDelay', () => {
  it('is a random point between 0 and a ceiling that doubles up to the maximum', () => {
    const options = { minDelayMs: 100, maxDelayMs: 1000, factor: 2 };
    expect(backoffDelay(0, options, () => 1)).toBe(100);
    expect(backoffDelay(1, options, () => 1)).toBe(200);
    expect(backoffDelay(3, options, () => 1)).toBe(800);
    expect(backoffDelay(10, options, () => 1)).toBe(1000);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
    expect(backoffDelay(3, options, () => 0.5)).toBe(400);
  });

  it('spreads clients out (full jitter) with the defaults', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(4));
    const ceiling = Math.min(DEFAULT_BACKOFF.maxDelayMs, DEFAULT_BACKOFF.minDelayMs * 2 ** 4);
    expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });

  it('takes its random source from the options (fixed delays for tests); an argument still wins', () => {
    const options = { minDelayMs: 100, maxDelayMs: 1000, factor: 2, random: () => 1 };
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, options))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(3, options, () => 0.5)).toBe(400);
    expect(() => createClient('ws://x/ghost', { backoff: { random: 0.5 as never } })).toThrow(/backoff.random must be a function/);
  });
});
