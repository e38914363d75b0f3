import { createClient, type ClientOptions, type GhostClient } from '@ghost/client';
import type { SchemaDefinition } from '@ghost/protocol';
import { connectClient, TEST_BACKOFF } from '@ghost/testing';
import { closeAfterTest } from './cleanup.js';

/** Reconnect delays short enough for tests that restart hubs. */
export const FAST_BACKOFF = TEST_BACKOFF;

/** A real client, closed after the test; returned at once, while it is still connecting. */
export function openClient<const S extends SchemaDefinition = SchemaDefinition>(url: string, options: ClientOptions<S> = {}): GhostClient<S> {
  const client = createClient(url, options);
  closeAfterTest(() => client.close());
  return client;
}

/** A real client, closed after the test; resolved once connected (rejects if the hub refuses it). */
export function connectedClient<const S extends SchemaDefinition = SchemaDefinition>(url: string, options: ClientOptions<S> = {}): Promise<GhostClient<S>> {
  return connectClient(url, options, { cleanup: closeAfterTest });
}
