import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { opsHandlerOf } from './handler.js';
import type { HubInternals } from './internals.js';
import type { OpsOptions } from './options.js';
import { addUpgradeListener } from '../upgrade-listener.js';

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Mounts the operations endpoints on a server that already has the app's request listener: requests
 * under the ops path are served here and never reach the app, the others reach it unchanged (the
 * listeners present now are moved behind ours, as socket.io does). Returns the detach function.
 */
export function attachOps(internals: HubInternals, server: HttpServer | HttpsServer, options: OpsOptions): () => void {
  const ops = opsHandlerOf(() => internals, options);
  const app = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  const onRequest: Listener = (request, response) => {
    if (ops.matches(request)) ops(request, response);
    else for (const listener of app) listener.call(server, request, response);
  };
  server.on('request', onRequest);
  const offUpgrade = addUpgradeListener(server, (request, socket, head) => ops.handleUpgrade(request, socket, head));
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    server.off('request', onRequest);
    offUpgrade();
    for (const listener of app) server.on('request', listener);
    ops.close();
  };
}
