// A `params()` that throws (a token service that is down, a bug in the app's code) is the app's
// failure, not the hub's: the client must say so on its `error` event and keep retrying with backoff,
// calling `params()` again each time, instead of looping quietly.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type ClientOptions, type ClientStatus, type GhostError } from '@ghost/client';
import { startHub } from '../../../test/helpers/hub.js';
import { FAST_BACKOFF, openClient } from '../../../test/helpers/clients.js';
import { waitFor } from '../../../test/helpers/wait.js';

const client = (url: string, options: ClientOptions = {}) => openClient(url, { ...FAST_BACKOFF, ...options });

/** A hub that admits a connection only with a `token`, and remembers the tokens it saw. */
async function tokenHub(port = 0) {
  const tokens: string[] = [];
  const hub = await startHub({
    authenticate: (request: IncomingMessage) => {
      const token = new URL(request.url!, 'http://x').searchParams.get('token');
      if (token) tokens.push(token);
      return token ? { id: token } : null;
    },
  }, port);
  return { hub, tokens };
}

describe('params() that throws', () => {
  it('is reported on the error event and with the status, and retried until it works', async () => {
    const { hub, tokens } = await tokenHub();
    let calls = 0;
    const failure = new Error('token service down');
    const c = client(hub.url, {
      params: async () => {
        calls += 1;
        if (calls <= 3) throw failure;
        return { token: `t${calls}` };
      },
    });
    const errors: GhostError[] = [];
    const statuses: [ClientStatus, GhostError | undefined][] = [];
    c.on('error', (error) => errors.push(error));
    c.on('status', (status, reason) => statuses.push([status, reason]));

    await waitFor(() => c.status === 'open');
    expect(calls).toBe(4);
    expect(tokens).toEqual(['t4']);
    // Once for the outage, not once per attempt; the same error as the status's reason.
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe(ErrorCode.INTERNAL);
    expect(errors[0]!.message).toMatch(/^Could not connect: params\(\) threw: token service down; retrying \(next attempt in \d+ ms\)$/);
    expect(errors[0]!.cause).toBe(failure);
    expect(statuses).toEqual([['reconnecting', errors[0]], ['open', undefined]]);
  });

  it('is reported even when the hub was already unreachable in the same outage', async () => {
    const first = await tokenHub();
    const port = first.hub.port;
    let broken = false;
    let calls = 0;
    const c = client(first.hub.url, {
      params: () => {
        calls += 1;
        if (broken) throw new Error('token expired and cannot be renewed');
        return { token: 'ok' };
      },
    });
    const errors: GhostError[] = [];
    c.on('error', (error) => errors.push(error));
    await waitFor(() => c.status === 'open');

    await first.hub.close();
    await waitFor(() => errors.length === 1);
    expect(errors[0]!.code).toBe(ErrorCode.UNREACHABLE);

    // Another failure of another kind during the same outage: the app must hear about this one too.
    broken = true;
    const before = calls;
    await waitFor(() => errors.length === 2);
    expect(errors[1]!.code).toBe(ErrorCode.INTERNAL);
    expect(errors[1]!.message).toContain('params() threw: token expired and cannot be renewed');
    await waitFor(() => calls >= before + 3); // still retrying, params() called on each attempt
    expect(errors).toHaveLength(2);
    expect(c.status).toBe('reconnecting');

    broken = false;
    const second = await tokenHub(port);
    await waitFor(() => c.status === 'open');
    expect(second.tokens).toEqual(['ok']);
  });

  it('a params() that throws something other than an Error is reported with what it threw', async () => {
    const { hub } = await tokenHub();
    let calls = 0;
    const c = client(hub.url, {
      params: () => {
        calls += 1;
        if (calls === 1) throw 'no token';
        return { token: 'ok' };
      },
    });
    const error = await new Promise<GhostError>((resolve) => c.on('error', resolve));
    expect(error.code).toBe(ErrorCode.INTERNAL);
    expect(error.message).toContain('params() threw: no token');
    await waitFor(() => c.status === 'open');
  });
});
