// What the recipes avoid, and why (docs/guides/mounting.md): checked here so the guide's warnings stay true.
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { createHub } from '@ghost/server';
import { closeAfterTest } from '../test/helpers/cleanup.js';
import { serveApp } from '../test/helpers/serve.js';
import { openSocket } from './check-recipe.js';

/** The app's server with `setup` applied, as a ws:// base URL. */
async function serve(setup: (server: http.Server) => void): Promise<string> {
  return `ws://127.0.0.1:${await serveApp(setup)}`;
}

describe('mounting pitfalls', () => {
  it("a ws server made with { server, path } answers 400 to the hub's upgrades: use noServer", async () => {
    const hub = createHub();
    closeAfterTest(() => hub.close());
    const base = await serve((server) => {
      hub.attach(server, { path: '/ghost' });
      const wrong = new WebSocketServer({ server, path: '/echo' });
      closeAfterTest(() => wrong.close());
    });
    await expect(openSocket(`${base}/ghost`)).rejects.toThrow('HTTP 400');
  });

  it('hub.attach alone answers 404 to other WebSocket paths', async () => {
    const hub = createHub();
    closeAfterTest(() => hub.close());
    const base = await serve((server) => hub.attach(server, { path: '/ghost' }));
    await expect(openSocket(`${base}/nope`)).rejects.toThrow('HTTP 404');
    const ghost = await openSocket(`${base}/ghost`);
    ghost.terminate();
  });

  it('with a second upgrade listener, a path neither serves gets no answer unless that listener refuses it', async () => {
    const hub = createHub();
    closeAfterTest(() => hub.close());
    const echo = new WebSocketServer({ noServer: true });
    const base = await serve((server) => {
      hub.attach(server, { path: '/ghost' });
      server.on('upgrade', (request, socket, head) => {
        if (request.url === '/echo') echo.handleUpgrade(request, socket, head, () => undefined);
        // …and nothing for other paths: the socket just hangs there.
      });
    });
    const socket = new WebSocket(`${base}/nope`);
    closeAfterTest(() => socket.terminate());
    const outcome = await new Promise((resolve) => {
      socket.once('open', () => resolve('open'));
      socket.once('unexpected-response', (_request, response) => resolve(`HTTP ${response.statusCode}`));
      socket.once('error', (error) => resolve(error.message));
      setTimeout(() => resolve('no answer after 500 ms'), 500);
    });
    expect(outcome).toBe('no answer after 500 ms');
  });
});
