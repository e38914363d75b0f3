import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHub, type Hub, type HubOptions } from '@ghost/server';
import { closeAfterTest } from './cleanup.js';

export interface RunningHub {
  hub: Hub<any>;
  server: http.Server;
  port: number;
  /** ws://127.0.0.1:PORT/ghost */
  url: string;
  close(): Promise<void>;
}

/**
 * A real HTTP server on a free port (or the given one, to restart "the same server") with a hub
 * attached at /ghost. The server also answers plain HTTP, to show the hub leaves the app's routes alone.
 */
export async function startHub(options: HubOptions<any> = {}, port = 0): Promise<RunningHub> {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`app route ${request.url}`);
  });
  const hub = createHub(options);
  hub.attach(server, { path: '/ghost' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const running: RunningHub = {
    hub,
    server,
    port: actual,
    url: `ws://127.0.0.1:${actual}/ghost`,
    close: () =>
      (closed ??= (async () => {
        await hub.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
  closeAfterTest(() => running.close());
  return running;
}
