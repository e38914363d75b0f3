import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { opsHandlerOf, type OpsHandler } from './handler.js';
import { internalsOf } from './internals.js';
import type { OpsOptions } from './options.js';

/**
 * What {@link createOpsHandler} accepts: a hub made by `createHub` (any `Hub` fits). Described by its
 * shape rather than the `Hub` class so that ops/ sits below the hub and reads it only through its
 * internals; anything else with this shape is refused with a `TypeError` when the handler is created.
 */
export interface OpsHub {
  /** See `Hub.attachOps`. */
  attachOps(server: HttpServer | HttpsServer, options: OpsOptions): () => void;
}

/**
 * Creates the operations endpoints of a hub: an HTTP API (publish, broadcast, presence, stats,
 * disconnect), Prometheus metrics and the inspector page, all under one path and behind one check.
 * `hub.attachOps(server, options)` mounts it on a server; this is for apps that route requests themselves.
 *
 * @example
 * const ops = createOpsHandler(hub, { path: '/ghost-admin', token: process.env.GHOST_API_TOKEN });
 * app.use(ops);                                   // Express: other paths fall through to `next`
 * server.on('upgrade', (req, socket, head) => ops.handleUpgrade(req, socket, head));
 */
export function createOpsHandler(hub: OpsHub, options: OpsOptions): OpsHandler {
  return opsHandlerOf(() => internalsOf(hub), options);
}
