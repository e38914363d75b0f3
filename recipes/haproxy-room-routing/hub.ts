// One hub node behind the load balancer: Ghost on /ghost, the health check HAProxy polls on /healthz,
// and the operations API on /ghost-admin when GHOST_API_TOKEN is set. Every node runs this same
// program on the same Redis. Prints `listening PORT` once it serves.
//
//   REDIS_URL=redis://10.0.0.5:6379 NODE_ID=hub1 PORT=3000 npx tsx recipes/haproxy-room-routing/hub.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createHub } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';

/** Where and how a node runs. */
export interface HubNodeOptions {
  port: number;
  /** The interface to listen on. @default '0.0.0.0' */
  host?: string;
  redisUrl: string;
  /** Shown by the ops API as the node of each member. @default random */
  nodeId?: string;
  /** Serves the operations API on /ghost-admin with this bearer token. */
  apiToken?: string;
}

export async function startHubNode({ port, host = '0.0.0.0', redisUrl, nodeId, apiToken }: HubNodeOptions) {
  const hub = createHub({ adapter: redisAdapter({ url: redisUrl }), nodeId });
  hub.on('error', (error) => console.error('[ghost]', error.message));

  // Answering at all is the health: a node that stops listening fails the check at once.
  const server = http.createServer((request, response) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else {
      response.writeHead(404).end();
    }
  });
  hub.attach(server, { path: '/ghost' });
  if (apiToken) hub.attachOps(server, { path: '/ghost-admin', token: apiToken });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));

  return {
    hub,
    port: (server.address() as AddressInfo).port,
    /**
     * Leaves without losing a room: stop listening first, so HAProxy's connection to this node is
     * refused and it retries on the next node of the ring; then tell the clients to go (1001). They
     * reconnect through HAProxy and a room's members all land on that same next node.
     */
    async close() {
      server.close();
      await hub.close();
      server.closeAllConnections();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const node = await startHubNode({
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    nodeId: process.env.NODE_ID,
    apiToken: process.env.GHOST_API_TOKEN,
  });
  console.log(`listening ${node.port}`);
  process.once('SIGTERM', () => void node.close().then(() => process.exit(0)));
}
