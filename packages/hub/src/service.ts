import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHub, createOpsHandler, type Adapter } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import type { Config } from './config.js';
import type { Logger } from './log.js';

/** A running ghost-hub: where it listens, and the drain that ends it. */
export interface Service {
  port: number;
  /** Stops accepting, answers /healthz with 503, tells every client 1001 and closes; resolves when done. */
  drain(signal: string): Promise<void>;
}

const HEALTH_PATH = '/healthz';

/** Starts the HTTP server, the hub and (with a token) the operations endpoints. */
export async function startService(config: Config, log: Logger): Promise<Service> {
  const started = Date.now();
  const adapter: Adapter | undefined = config.redisUrl ? redisAdapter({ url: config.redisUrl }) : undefined;
  const hub = createHub({ ...(adapter && { adapter }), ...(config.nodeId && { nodeId: config.nodeId }) });
  hub.on('error', (error) => log.warn('hub.error', { message: error.message }));
  hub.on('connection', ({ id, user, address }) => log.debug('connection.open', { id, user: user?.id, address }));
  hub.on('disconnect', ({ id, code, reason }) => log.debug('connection.close', { id, code, reason }));
  const ops = config.apiToken ? createOpsHandler(hub, { path: config.apiPath, token: config.apiToken }) : undefined;
  let draining = false;

  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === HEALTH_PATH) {
      const body = JSON.stringify({ status: draining ? 'draining' : 'ok', node: hub.nodeId, ...hub.stats(), uptimeSeconds: Math.round((Date.now() - started) / 1000) });
      response.writeHead(draining ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
    } else if (ops?.matches(request)) {
      ops(request, response);
    } else {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `Nothing at ${path}` } }));
    }
  });
  // One upgrade listener for both sockets, so an unknown path is answered rather than left hanging.
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === config.path) void hub.handleUpgrade(request, socket, head);
    else if (!ops?.handleUpgrade(request, socket, head)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info('listening', {
    node: hub.nodeId, host: config.host, port, path: config.path, redis: config.redisUrl ? redacted(config.redisUrl) : null,
    api: ops ? config.apiPath : null, health: HEALTH_PATH, startupMs: Date.now() - started,
  });

  let drained: Promise<void> | undefined;
  return {
    port,
    drain(signal) {
      drained ??= (async () => {
        const began = Date.now();
        draining = true;
        log.info('draining', { signal, connections: hub.stats().connections });
        await hub.close({ retryAfterMs: config.drainSpreadMs });
        ops?.close();
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        log.info('stopped', { drainMs: Date.now() - began });
      })();
      return drained;
    },
  };
}

/** A Redis URL without its password, for the logs. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://…';
  }
}
