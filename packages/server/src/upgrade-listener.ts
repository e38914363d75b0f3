// The `upgrade` listeners that hub.attach and hub.attachOps put on a server. An upgrade for none of
// their paths gets a 404 once every listener has had its turn, but only when all of the server's
// upgrade listeners are these: then nobody else can answer, and a silent socket would hang until the
// client gives up. When the app has an upgrade listener of its own, the paths Ghost does not serve
// are that listener's to answer (it may take them after awaiting something, which no rule here can
// see), so Ghost leaves them alone.
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const ours = new WeakSet<UpgradeListener>();
// Requests taken by one of our listeners, and those already waiting for the 404 check: one check each.
const taken = new WeakSet<IncomingMessage>();
const checking = new WeakSet<IncomingMessage>();

const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * Adds to `server` an upgrade listener that offers each request to `take`, which returns whether it
 * took it. Returns the function that removes the listener.
 */
export function addUpgradeListener(
  server: HttpServer | HttpsServer,
  take: (request: IncomingMessage, socket: Duplex, head: Buffer) => boolean,
): () => void {
  const listener: UpgradeListener = (request, socket, head) => {
    if (taken.has(request)) return;
    if (take(request, socket, head)) {
      taken.add(request);
      return;
    }
    if (checking.has(request)) return;
    checking.add(request);
    // After the emit: every listener, ours and the app's, has seen the request by then.
    setImmediate(() => {
      if (taken.has(request) || socket.destroyed || !socket.writable) return;
      if (!server.listeners('upgrade').every((other) => ours.has(other as UpgradeListener))) return;
      socket.on('error', () => socket.destroy()); // a client gone meanwhile must not crash the server
      socket.end(NOT_FOUND);
    });
  };
  ours.add(listener);
  server.on('upgrade', listener);
  return () => void server.off('upgrade', listener);
}
