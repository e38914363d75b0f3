import type { SchemaDefinition } from '@ghost/protocol';
import { memoryAdapter } from './adapters/memory.js';
import { Hub } from './hub.js';
import { resolveOptions, type HubOptions } from './options.js';

/**
 * Creates a hub. Every option is optional: with none, it is a single-node hub with safe limits.
 *
 * @example
 * import http from 'node:http';
 * import { createHub } from '@ghost/server';
 *
 * const server = http.createServer();
 * const hub = createHub();
 * hub.attach(server, { path: '/ghost' });
 * server.listen(3000);
 */
export function createHub<const S extends SchemaDefinition = SchemaDefinition>(options: HubOptions<S> = {}): Hub<S> {
  const resolved = resolveOptions(options);
  if (options.adapter !== undefined && (typeof options.adapter !== 'object' || typeof options.adapter.publish !== 'function')) {
    throw new TypeError("createHub: adapter must be an Adapter, such as memoryAdapter() or redisAdapter({ url }) from '@ghost/server/redis'");
  }
  return new Hub<S>(resolved, options.adapter ?? memoryAdapter(), options.nodeId);
}
