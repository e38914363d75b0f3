import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { SchemaDefinition } from '@ghost/protocol';
import type { Hub } from '../hub.js';
import { createOpsHandler } from './handler.js';
import type { OpsOptions } from './options.js';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Mounts the operations endpoints on a server that already has the app's request listener: requests
 * under the ops path are served here and never reach the app, the others reach it unchanged (the
 * listeners present now are moved behind ours, as socket.io does). Returns the detach function.
 */
export function attachOps<S extends SchemaDefinition>(hub: Hub<S>, server: HttpServer | HttpsServer, options: OpsOptions): () => void {
  const ops = createOpsHandler(hub, options);
  const app = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  const onRequest: Listener = (request, response) => {
    if (ops.matches(request)) ops(request, response);
    else for (const listener of app) listener.call(server, request, response);
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (ops.handleUpgrade(request, socket, head)) return;
    // No other handler will answer: say so instead of leaving the socket hanging.
    if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };
  server.on('request', onRequest);
  server.on('upgrade', onUpgrade);
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    server.off('request', onRequest);
    server.off('upgrade', onUpgrade);
    for (const listener of app) server.on('request', listener);
    ops.close();
  };
}
