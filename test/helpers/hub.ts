import type { HubOptions } from '@ghost/server';
import { startTestHub, type TestHub } from '@ghost/testing';
import { closeAfterTest } from './cleanup.js';

/** A hub started by {@link startHub}: `@ghost/testing`'s test hub, untyped so tests can pass any schema. */
export type RunningHub = TestHub<any>;

/**
 * A real HTTP server on a free port (or the given one, to restart "the same server") with a hub
 * attached at /ghost, closed after the test. The server also answers plain HTTP, to show the hub
 * leaves the app's routes alone.
 */
export function startHub(options: HubOptions<any> = {}, port = 0): Promise<RunningHub> {
  return startTestHub(options, {
    port,
    handler: (request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`app route ${request.url}`);
    },
    cleanup: closeAfterTest,
  });
}
