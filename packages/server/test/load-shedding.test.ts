// An overloaded or draining hub tells clients when to come back, so they do not return all at once.
import { describe, expect, it } from 'vitest';
import { CloseCode, retryAfterOf } from '@ghost/protocol';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';

describe('load shedding', () => {
  it('refuses connections past maxConnections with 4203 and a retry-after hint, but never a resume', async () => {
    const running = await startHub({ limits: { maxConnections: 2, retryAfterMs: 4000 }, graceMs: 5000 });
    const a = await RawClient.welcomed(running.url);
    await RawClient.welcomed(running.url);

    const refused = await RawClient.connect(running.url);
    expect(await refused.closed()).toBe(CloseCode.TRY_AGAIN_LATER);
    expect(refused.closeReason).toMatch(/^hub at capacity; retry-after=\d+$/);
    const hint = retryAfterOf(refused.closeReason)!;
    expect(hint).toBeGreaterThanOrEqual(2000);
    expect(hint).toBeLessThanOrEqual(4000);
    expect(running.hub.stats().connections).toBe(2);

    // `a` drops and comes back within its grace period: the hub is still full, and it is let in as itself.
    a.client.socket.terminate();
    const back = await RawClient.welcomed(running.url, `?resume=${encodeURIComponent(a.resume)}`);
    expect(back.resumed).toBe(true);
    expect(back.id).toBe(a.id);
  });

  it('spreads a drain: hub.close({ retryAfterMs }) gives each client its own hint below the bound', async () => {
    const running = await startHub();
    const clients = await Promise.all(Array.from({ length: 6 }, () => RawClient.welcomed(running.url)));
    await running.hub.close({ retryAfterMs: 3000 });
    const hints = await Promise.all(clients.map(async ({ client }) => {
      expect(await client.closed()).toBe(CloseCode.GOING_AWAY);
      return retryAfterOf(client.closeReason)!;
    }));
    for (const hint of hints) expect(hint).toBeGreaterThanOrEqual(0), expect(hint).toBeLessThan(3000);
    expect(new Set(hints).size).toBeGreaterThan(1);
  });

  it('drains without a hint by default, and refuses a bad retryAfterMs', async () => {
    const running = await startHub();
    const { client } = await RawClient.welcomed(running.url);
    expect(() => running.hub.close({ retryAfterMs: -1 })).toThrow(/retryAfterMs must be a number ≥ 0/);
    await running.hub.close();
    expect(await client.closed()).toBe(CloseCode.GOING_AWAY);
    expect(client.closeReason).toBe('hub shutting down');
  });
});
