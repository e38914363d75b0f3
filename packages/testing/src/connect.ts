import { createClient, type ClientOptions, type GhostClient, type GhostError } from '@ghost/client';
import type { SchemaDefinition } from '@ghost/protocol';

/** Registers a function to run when the current test ends: vitest's `onTestFinished`, node:test's `t.after`, or your own list. */
export type Cleanup = (close: () => Promise<void>) => unknown;

/** Options of {@link connectClient} and {@link whenOpen}. */
export interface ConnectOptions {
  /** How long to wait for the hub's welcome before giving up (the client is then closed). @default 5000 */
  timeoutMs?: number;
  /** Called with the client's `close`, so the client is closed when the test ends. */
  cleanup?: Cleanup;
}

/** Reconnect delays short enough for tests that restart or cut hubs: spread them into `createClient`'s options. */
export const TEST_BACKOFF = {
  /** `createClient`'s reconnect delays. */
  backoff: {
    /** The first retry comes after at most 20 ms. */
    minDelayMs: 20,
    /** No retry waits more than 100 ms. */
    maxDelayMs: 100,
  },
} as const;

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * Resolves once `client` is open (the hub's welcome arrived, so `client.self` is set). Rejects with
 * the client's own error when the hub refuses it (`UNAUTHORIZED`, `FORBIDDEN`, `VERSION_MISMATCH`),
 * and with a plain `Error` when it is closed or `timeoutMs` passes first. Also useful after a restart,
 * to wait until a client has reconnected.
 *
 * @example
 * await hub.close();                 // the client starts reconnecting
 * const again = await startTestHub({}, { port: hub.port });
 * await whenOpen(client);
 */
export function whenOpen(client: GhostClient<any>, options: Pick<ConnectOptions, 'timeoutMs'> = {}): Promise<void> {
  if (client.status === 'open') return Promise.resolve();
  if (client.status === 'closed') return Promise.reject(new Error('The client is closed: it will not connect again'));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<void>((resolve, reject) => {
    let refusal: GhostError | undefined;
    const stop: (() => void)[] = [];
    const settle = (error?: Error) => {
      for (const off of stop) off();
      if (error) reject(error);
      else resolve();
    };
    stop.push(client.on('error', (error) => (refusal = error)));
    stop.push(client.on('status', (status) => {
      if (status === 'open') settle();
      // The client reports a refusal on `error` right after this status: wait for it.
      else if (status === 'closed') queueMicrotask(() => settle(refusal ?? new Error('The client was closed before it connected')));
    }));
    const timer = setTimeout(() => {
      settle(new Error(`The client did not connect within ${timeoutMs} ms (status: ${client.status}${refusal ? `, last error: ${refusal.code}` : ''})`));
    }, timeoutMs);
    stop.push(() => clearTimeout(timer));
  });
}

/**
 * Creates a client for `url` and resolves once it is connected. If it does not connect, it is closed
 * and the promise rejects (see {@link whenOpen}).
 *
 * @example
 * const client = await connectClient(url, {}, { cleanup: onTestFinished });
 * expect(client.self?.id).toBeTypeOf('string');
 */
export async function connectClient<const S extends SchemaDefinition = SchemaDefinition>(
  url: string,
  clientOptions: ClientOptions<S> = {},
  options: ConnectOptions = {},
): Promise<GhostClient<S>> {
  const client = createClient(url, clientOptions);
  const close = () => client.close();
  options.cleanup?.(close);
  try {
    await whenOpen(client, options);
  } catch (error) {
    await close();
    throw error;
  }
  return client;
}
