// Ghost next to a Fastify 5 app and another WebSocket endpoint (a raw `ws` echo on /echo). Fastify
// creates the HTTP server itself (`app.server`); the hub attaches to it before `listen`, and closes
// with the app.
//
//   npx tsx recipes/fastify.ts          # PORT=3000 by default
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { WebSocketServer } from 'ws';
import { createHub } from '@ghost/server';

export async function start(port = 0) {
  const hub = createHub();

  const app = Fastify();
  app.get('/api/hello', async () => ({ hello: 'world' }));
  app.post('/api/news', async (request, reply) => {
    await hub.publish('news', request.body);
    return reply.code(202).send({ ok: true });
  });

  // Ghost on /ghost of Fastify's own server; the echo routes its path and refuses unknown ones.
  hub.attach(app.server, { path: '/ghost' });
  const echo = new WebSocketServer({ noServer: true });
  echo.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  app.server.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/echo') echo.handleUpgrade(request, socket, head, (ws) => echo.emit('connection', ws, request));
    else if (pathname !== '/ghost') socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  // app.close() closes the hub first (its clients get 1001 and reconnect elsewhere), then the server.
  // `preClose`, not `onClose`: Fastify waits for the server to close before `onClose`, and the server
  // does not close while WebSockets are open.
  app.addHook('preClose', async () => {
    await hub.close();
    for (const socket of echo.clients) socket.terminate();
  });

  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address();
  return {
    hub,
    server: app.server,
    port: typeof address === 'object' && address ? address.port : port,
    close: () => app.close(),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { port } = await start(Number(process.env.PORT ?? 3000));
  console.log(`http://localhost:${port}/api/hello · ws://localhost:${port}/ghost · ws://localhost:${port}/echo`);
}
