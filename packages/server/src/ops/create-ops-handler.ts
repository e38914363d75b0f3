import type { SchemaDefinition } from '@ghost/protocol';
import type { Hub } from '../hub.js';
import { opsHandlerOf, type OpsHandler } from './handler.js';
import { internalsOf } from './internals.js';
import type { OpsOptions } from './options.js';

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
export function createOpsHandler<S extends SchemaDefinition>(hub: Hub<S>, options: OpsOptions): OpsHandler {
  return opsHandlerOf(() => internalsOf(hub), options);
}
