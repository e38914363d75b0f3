// What docs/protocol.md §2.4 promises an old client when the hub speaks another protocol version: the
// hub refuses it with 4006 and a reason, and the reference client stops (no reconnect loop) and
// reports VERSION_MISMATCH. Real hub, real client: in front of the hub, the client's `v` is rewritten
// to the next version, so the hub meets a client that speaks another version than its own.
import type { Duplex } from 'node:stream';
import { ErrorCode, PROTOCOL_VERSION, shouldReconnect, CloseCode } from '@ghost/protocol';
import { createClient, type GhostError } from '@ghost/client';
import { startTestHub, waitFor } from '@ghost/testing';
import { describe, expect, it, onTestFinished } from 'vitest';

describe('a client of another protocol version', () => {
  it('is refused with 4006, stops at once and reports VERSION_MISMATCH', async () => {
    const kit = await startTestHub({}, { path: '/current', cleanup: onTestFinished });
    let upgrades = 0;
    kit.server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
      if (!request.url?.startsWith('/ghost')) return;
      upgrades += 1;
      request.url = request.url.replace(`v=${PROTOCOL_VERSION}`, `v=${PROTOCOL_VERSION + 1}`);
      void kit.hub.handleUpgrade(request, socket, head);
    });

    const client = createClient(`ws://127.0.0.1:${kit.port}/ghost`, { backoff: { minDelayMs: 1, maxDelayMs: 5 } });
    onTestFinished(() => client.close());
    const errors: GhostError[] = [];
    client.on('error', (error) => errors.push(error));
    await waitFor(() => client.status === 'closed', { what: 'the client to stop' });

    expect(errors.map((e) => e.code)).toEqual([ErrorCode.VERSION_MISMATCH]);
    expect(errors[0]!.message).toContain(`4006: protocol version ${PROTOCOL_VERSION + 1} is not supported; this hub speaks 1 and ${PROTOCOL_VERSION}`);
    // Stopped means stopped: with a 1–5 ms backoff, a client that retried would have come back already.
    expect(upgrades).toBe(1);
    expect(shouldReconnect(CloseCode.VERSION_MISMATCH)).toBe(false);
    expect(kit.hub.stats().connections).toBe(0);
  });
});
