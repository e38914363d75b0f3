// Ghost on a plain `node:http` server, next to the app's own routes and another WebSocket endpoint
// (a raw `ws` echo on /echo). The hub takes its path with `hub.attach`; the echo has an upgrade
// listener of its own.
//
//   npx tsx recipes/node-http.ts        # PORT=3000 by default
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { createHub } from '@ghost/server';

export async function start(port = 0) {
  const hub = createHub();

  // The app's own routes. POST /api/news reaches every subscriber of the `news` topic.
  const server = http.createServer(async (request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && pathname === '/api/hello') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: 'world' }));
    } else if (request.method === 'POST' && pathname === '/api/news') {
      let body = '';
      for await (const chunk of request) body += chunk; // cap the size in real code
      try {
        await hub.publish('news', JSON.parse(body) as unknown);
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(String((error as Error).message));
      }
    } else {
      response.writeHead(404).end();
    }
  });

  // Ghost on /ghost. attach() handles upgrades to /ghost and leaves every other upgrade alone.
  hub.attach(server, { path: '/ghost' });

  // Another WebSocket endpoint: a `ws` server with `noServer: true` (never `{ server, path }`, which
  // answers 400 to every upgrade that is not its own, the hub's included) and its own listener.
  const echo = new WebSocketServer({ noServer: true });
  echo.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  server.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/echo') {
      echo.handleUpgrade(request, socket, head, (ws) => echo.emit('connection', ws, request));
    } else if (pathname !== '/ghost') {
      // With two upgrade listeners, say no to the paths neither serves rather than leave them hanging.
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });

  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    hub,
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      await hub.close(); // tells Ghost clients to go (1001) and detaches from the server
      for (const socket of echo.clients) socket.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { port } = await start(Number(process.env.PORT ?? 3000));
  console.log(`http://localhost:${port}/api/hello · ws://localhost:${port}/ghost · ws://localhost:${port}/echo`);
}
