import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { closeAfterTest } from './cleanup.js';

/**
 * An app's own HTTP server on a free loopback port (it answers `app` to plain requests), set up by
 * `setup` before it listens and closed after the test. Resolves with its port.
 */
export async function serveApp(setup: (server: http.Server) => void): Promise<number> {
  const server = http.createServer((_request, response) => response.end('app'));
  setup(server);
  // closeAllConnections() does not reach a socket handed to 'upgrade': destroy them all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfterTest(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}
