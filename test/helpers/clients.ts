import { createClient, type ClientOptions, type GhostClient } from '@ghost/client';
import type { SchemaDefinition } from '@ghost/protocol';
import { closeAfterTest } from './cleanup.js';

/** Reconnect delays short enough for tests that restart hubs. */
export const FAST_BACKOFF = { backoff: { minDelayMs: 20, maxDelayMs: 100 } } as const;

/** A real client, closed after the test. */
export function openClient<const S extends SchemaDefinition = SchemaDefinition>(url: string, options: ClientOptions<S> = {}): GhostClient<S> {
  const client = createClient(url, options);
  closeAfterTest(() => client.close());
  return client;
}
