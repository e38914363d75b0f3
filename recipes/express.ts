// Ghost next to an Express 5 app and another WebSocket endpoint (a raw `ws` echo on /echo). Express
// does not see upgrades: one `upgrade` listener on the HTTP server routes them, handing /ghost to
// `hub.handleUpgrade`.
//
//   npx tsx recipes/express.ts          # PORT=3000 by default
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { WebSocketServer } from 'ws';
import { createHub } from '@ghost/server';

export async function start(port = 0) {
  const hub = createHub();

  const app = express();
  app.use(express.json());
  app.get('/api/hello', (_request, response) => {
    response.json({ hello: 'world' });
  });
  app.post('/api/news', async (request, response) => {
    await hub.publish('news', request.body as unknown); // Express 5 passes a rejection on to its error handler
    response.status(202).json({ ok: true });
  });

  // app.listen() would create this server too (and return it); here it is made first to route upgrades.
  const server = http.createServer(app);
  const echo = new WebSocketServer({ noServer: true });
  echo.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));

  // Every WebSocket path in one place.
  server.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/ghost') void hub.handleUpgrade(request, socket, head);
    else if (pathname === '/echo') echo.handleUpgrade(request, socket, head, (ws) => echo.emit('connection', ws, request));
    else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    hub,
    server,
    port: (server.address() as AddressInfo).port,
    async close() {
      await hub.close();
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
