// An upgrade to a path nobody serves gets a 404 and a closed socket when Ghost's listeners
// (hub.attach, hub.attachOps) are the server's only ones, in any number; an app's own upgrade
// listener keeps every path Ghost does not serve, even when it answers later.
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { describe, expect, it } from 'vitest';
import { createHub } from '@ghost/server';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { serveApp } from '../../../test/helpers/serve.js';

const TOKEN = 'upgrade-paths-test-token';

const serve = serveApp;

interface Answer {
  /** The status line, e.g. `HTTP/1.1 404 Not Found`. */
  status: string;
  /** The bytes after the response head: the first WebSocket frames after a 101. */
  rest: () => Buffer;
  /** Settles when the server closes the socket. */
  closed: Promise<void>;
}

/** Writes an upgrade request by hand and reads the answer's head; rejects if none comes in 2 s. */
function rawUpgrade(port: number, path: string): Promise<Answer> {
  const socket = net.connect(port, '127.0.0.1');
  closeAfterTest(() => socket.destroy());
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
  );
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  return new Promise((resolve, reject) => {
    // A guard against the hang this file is about, not a timing figure.
    const timer = setTimeout(() => reject(new Error(`no answer to an upgrade to ${path} in 2 s`)), 2000);
    const onData = () => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve({ status: received.subarray(0, received.indexOf('\r\n')).toString(), rest: () => received.subarray(end + 4), closed });
    };
    socket.on('data', onData);
  });
}

function hub() {
  const hub = createHub();
  closeAfterTest(() => hub.close());
  return hub;
}

describe('upgrades to paths nobody serves', () => {
  it('get a 404 and a closed socket with the hub and the ops endpoints on one server, which both still upgrade', async () => {
    const ghost = hub();
    const port = await serve((server) => {
      ghost.attach(server, { path: '/ghost' });
      ghost.attachOps(server, { path: '/ghost-admin', token: TOKEN });
    });
    const other = await rawUpgrade(port, '/other');
    expect(other.status).toBe('HTTP/1.1 404 Not Found');
    await other.closed;
    expect((await rawUpgrade(port, '/ghost')).status).toBe('HTTP/1.1 101 Switching Protocols');
    // The inspector's live feed is the ops' upgrade path; without a ticket it is refused, not left hanging.
    expect((await rawUpgrade(port, '/ghost-admin/inspector/live')).status).not.toMatch(/404/);
  });

  it('get a 404 with the hub alone', async () => {
    const ghost = hub();
    const port = await serve((server) => ghost.attach(server, { path: '/ghost' }));
    const other = await rawUpgrade(port, '/other?x=1');
    expect(other.status).toBe('HTTP/1.1 404 Not Found');
    await other.closed;
  });

  it("are the app's own listener's to answer: its WebSocket on /app works, even when it upgrades after awaiting", async () => {
    const ghost = hub();
    const app = new WebSocketServer({ noServer: true });
    closeAfterTest(() => new Promise((resolve) => app.close(resolve)));
    app.on('connection', (socket) => socket.send('hi'));
    const port = await serve((server) => {
      ghost.attach(server, { path: '/ghost' });
      ghost.attachOps(server, { path: '/ghost-admin', token: TOKEN });
      server.on('upgrade', (request, socket, head) => {
        const upgrade = () => app.handleUpgrade(request, socket, head, (ws) => app.emit('connection', ws, request));
        if (request.url === '/app') upgrade();
        // Say, after checking a session in a database: well after Ghost's listeners had their turn.
        else if (request.url === '/app-later') setTimeout(upgrade, 50);
        else if (request.url !== '/ghost' && !request.url?.startsWith('/ghost-admin')) socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      });
    });
    for (const path of ['/app', '/app-later']) {
      const answer = await rawUpgrade(port, path);
      expect(answer.status).toBe('HTTP/1.1 101 Switching Protocols');
      // The app's first frame: an unmasked text frame of 2 bytes, "hi".
      await expect.poll(() => answer.rest().toString('latin1')).toBe('\x81\x02hi');
    }
    expect((await rawUpgrade(port, '/ghost')).status).toBe('HTTP/1.1 101 Switching Protocols');
  });
});
