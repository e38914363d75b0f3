// Ghost on an `https` server (wss://), next to the app's own routes and another WebSocket endpoint (a
// raw `ws` echo on /echo). The hub does not care about TLS: it takes upgrades from `https.Server` as
// from `http.Server`. Browsers connect with `createClient('/ghost')` from an https page (wss:// is
// implied).
//
//   TLS_KEY=key.pem TLS_CERT=cert.pem npx tsx recipes/https.ts     # PORT=3443 by default
// A self-signed pair for trying it out:
//   openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=localhost \
//     -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { createHub } from '@ghost/server';

export interface HttpsRecipeOptions {
  /** PEM private key and certificate. */
  key: string | Buffer;
  cert: string | Buffer;
  port?: number;
}

export async function start({ key, cert, port = 0 }: HttpsRecipeOptions) {
  const hub = createHub();

  const server = https.createServer({ key, cert }, async (request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'https://localhost');
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

  const echo = new WebSocketServer({ noServer: true });
  echo.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  server.on('upgrade', (request, socket, head) => {
    const { pathname } = new URL(request.url ?? '/', 'https://localhost');
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
  const { TLS_KEY, TLS_CERT, PORT } = process.env;
  if (!TLS_KEY || !TLS_CERT) throw new Error('Set TLS_KEY and TLS_CERT to the paths of a PEM key and certificate');
  const { port } = await start({ key: readFileSync(TLS_KEY), cert: readFileSync(TLS_CERT), port: Number(PORT ?? 3443) });
  console.log(`https://localhost:${port}/api/hello · wss://localhost:${port}/ghost · wss://localhost:${port}/echo`);
}
