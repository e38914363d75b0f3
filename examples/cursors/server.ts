// The ghost cursor demo: one Node process serves the page, its stylesheet, the page script (bundled
// in memory at startup), the Ghost hub on /ghost and the active-users list (GET /api/active-users,
// and the `active-users` topic), kept in PostgreSQL: PGlite in this process by default, or a server.
// No CDN, no build step.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundlePage } from '../shared/server.js';
import { createHub, type Hub } from '@ghost/server';
import { ActiveUsers, visitorFrom, type ActiveUsersOptions } from './active-users.js';
import { openDb, type DbOptions } from './db.js';

/** A running demo. */
export interface CursorDemo {
  /** `http://localhost:PORT`: open it in two windows. */
  url: string;
  port: number;
  /** The hub on /ghost (tests read its `stats()`). */
  hub: Hub;
  /** Which database the active-users panel uses. */
  db: 'pglite' | 'postgres';
  /** Closes the hub (clients are told to go away), the database and the HTTP server. */
  close(): Promise<void>;
}

/** Options of {@link startCursorDemo}. */
export interface CursorDemoOptions extends ActiveUsersOptions {
  /** 0 for any free port. @default 0 */
  port?: number;
  /** The active-users database: `{ url: 'postgres://…' }`, or PGlite (in memory unless `dataDir`). */
  database?: DbOptions;
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));


/** Starts the demo on `port` (0 for any free port). A database that fails does not stop it. */
export async function startCursorDemo({ port = 0, database, ...panel }: CursorDemoOptions = {}): Promise<CursorDemo> {
  const [html, css, icon, script] = await Promise.all([
    readFile(here('./public/index.html'), 'utf8'),
    readFile(here('./public/style.css'), 'utf8'),
    readFile(here('./public/favicon.svg'), 'utf8'),
    bundlePage(here('./src/page.ts')),
  ]);
  const assets: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/index.html': { type: 'text/html; charset=utf-8', body: html },
    '/style.css': { type: 'text/css; charset=utf-8', body: css },
    '/page.js': { type: 'text/javascript; charset=utf-8', body: script },
    '/favicon.svg': { type: 'image/svg+xml', body: icon },
  };

  // Each visitor is one presence member, whatever number of tabs: see the README.
  const hub = createHub({ authenticate: visitorFrom, presenceKey: 'user' });
  const db = openDb(database);
  const activeUsers = new ActiveUsers(db, hub, panel);

  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/api/active-users' && request.method === 'GET') {
      void activeUsers.current().then((feed) => {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        response.end(JSON.stringify(feed));
      });
      return;
    }
    const asset = assets[path];
    if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(asset ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(asset ? 'Method not allowed' : 'Not found');
      return;
    }
    response.writeHead(200, {
      'content-type': asset.type,
      'content-length': Buffer.byteLength(asset.body),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // Everything comes from this process; 'self' covers the same-origin ws:// connection too.
      'content-security-policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'",
    });
    response.end(request.method === 'HEAD' ? undefined : asset.body);
  });

  hub.attach(server, { path: '/ghost' });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await hub.close();
    await activeUsers.close();
    throw error;
  });
  await activeUsers.current(); // the schema and the first list (or the first failure, logged)
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${actual}`,
    port: actual,
    hub,
    db: db.kind,
    close: () =>
      (closing ??= (async () => {
        await hub.close();
        await activeUsers.close(); // after the hub: its last disconnects are written too
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

// `tsx server.ts` (or `npm start` at the repo root): listen on $PORT, 3000 by default; the panel's
// database is $DATABASE_URL (postgres://…), else PGlite in $PGLITE_DIR, else PGlite in memory.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number (0-65535), got ${JSON.stringify(process.env.PORT)}`);
    process.exit(1);
  }
  const database = { url: process.env.DATABASE_URL || undefined, dataDir: process.env.PGLITE_DIR || undefined };
  const demo = await startCursorDemo({ port, database }).catch((error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: try PORT=${port + 1} npm start` : error);
    process.exit(1);
  });
  console.log(`Ghost cursors: ${demo.url} (active users in ${demo.db === 'postgres' ? 'PostgreSQL' : database.dataDir ? `PGlite, ${database.dataDir}` : 'PGlite, in memory'})`);
  const stop = () => {
    void demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
