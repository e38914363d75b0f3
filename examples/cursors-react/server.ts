// The cursor demo as a Vite + React app: one Node process runs Vite (in middleware mode: the page,
// React and hot reload), the Ghost hub on /ghost and the active-users list (GET /api/active-users,
// and the `active-users` topic), on the same server side as examples/cursors (in
// @ghost-examples/shared/cursors). `npm run
// example:cursors-react` at the repository root starts it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer as createVite } from 'vite';
import { createHub, type Hub } from '@ghost/server';
import { ActiveUsers, visitorFrom, type ActiveUsersOptions } from '@ghost-examples/shared/cursors/active-users';
import { openDb, type DbOptions } from '@ghost-examples/shared/cursors/db';
import { schema } from './shared/schema.js';
import { isMain, runDemo } from '@ghost-examples/shared/server';

/** A running demo. */
export interface CursorsReactDemo {
  /** `http://localhost:PORT`: open it in two windows. */
  url: string;
  port: number;
  /** The hub on /ghost. */
  hub: Hub<typeof schema>;
  /** Which database the active-users panel uses. */
  db: 'pglite' | 'postgres';
  /** Closes Vite, the hub (clients are told to go away), the database and the HTTP server. */
  close(): Promise<void>;
}

/** Options of {@link startCursorsReact}. */
export interface CursorsReactOptions extends ActiveUsersOptions {
  /** 0 for any free port. @default 0 */
  port?: number;
  /** The active-users database: `{ url: 'postgres://…' }`, or PGlite (in memory unless `dataDir`). */
  database?: DbOptions;
}

/** Starts the demo on `port` (0 for any free port). */
export async function startCursorsReact({ port = 0, database, ...panel }: CursorsReactOptions = {}): Promise<CursorsReactDemo> {
  // Each visitor is one presence member, whatever number of tabs: see examples/cursors/README.md.
  const hub = createHub({ schema, authenticate: visitorFrom, presenceKey: 'user' });
  const db = openDb(database);
  const activeUsers = new ActiveUsers(db, hub, panel);

  const server = http.createServer();
  const vite = await createVite({
    configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)),
    // Hot reload shares this server's port; its upgrades carry Vite's own protocol, so the hub's path is left alone.
    server: { middlewareMode: true, hmr: { server } },
    appType: 'spa',
    logLevel: 'warn',
  });
  server.on('request', (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/api/active-users' && request.method === 'GET') {
      void activeUsers.current().then((feed) => {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        response.end(JSON.stringify(feed));
      });
      return;
    }
    vite.middlewares(request, response);
  });
  hub.attach(server, { path: '/ghost' });

  const closeAll = async () => {
    await vite.close();
    await hub.close();
    await activeUsers.close(); // after the hub: its last disconnects are written too
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await closeAll().catch(() => {});
    throw error;
  });
  await activeUsers.current(); // the schema and the first list (or the first failure, logged)
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return { url: `http://localhost:${actual}`, port: actual, hub, db: db.kind, close: () => (closing ??= closeAll()) };
}

// `tsx server.ts` (or `npm run example:cursors-react` at the repo root): listen on $PORT, 3000 by
// default; the panel's database is $DATABASE_URL (postgres://…), else PGlite in $PGLITE_DIR, else in memory.
if (isMain(import.meta.url)) {
  const database = { url: process.env.DATABASE_URL || undefined, dataDir: process.env.PGLITE_DIR || undefined };
  await runDemo('Ghost cursors (React)', 'npm run example:cursors-react', ({ port }) => startCursorsReact({ port, database }));
}
