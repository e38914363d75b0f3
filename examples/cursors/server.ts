// The ghost cursor demo: one Node process serves the page, its stylesheet, the page script (bundled
// in memory at startup), the Ghost hub on /ghost and the active-users list (GET /api/active-users,
// and the `active-users` topic), kept in PostgreSQL: PGlite in this process by default, or a server.
// No CDN, no build step. The page is served as soon as it is bundled; the database comes up behind it.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundlePage } from '@ghost-examples/shared/server';
import { createHub, type Hub } from '@ghost/server';
import { ActiveUsers, visitorFrom, type ActiveUsersOptions } from '@ghost-examples/shared/cursors/active-users';
import { openDb, type Db, type DbOptions } from '@ghost-examples/shared/cursors/db';

/** A running demo. */
export interface CursorDemo {
  /** `http://localhost:PORT`: open it in two windows. */
  url: string;
  port: number;
  /** The hub on /ghost (tests read its `stats()`). */
  hub: Hub;
  /** Which database the active-users panel uses. */
  db: Db['kind'];
  /**
   * Settles once the active-users database answered for the first time (true) or failed to (false:
   * the panel says it is unavailable, and the server keeps trying). The page is served before.
   */
  activeUsersReady: Promise<boolean>;
  /** Closes the hub (clients are told to go away), the database and the HTTP server. */
  close(): Promise<void>;
}

/** Options of {@link startCursorDemo}. */
export interface CursorDemoOptions extends ActiveUsersOptions {
  /** 0 for any free port. @default 0 */
  port?: number;
  /**
   * The active-users database: `{ url: 'postgres://…' }`, PGlite (in memory unless `dataDir`), or a
   * {@link Db} of your own.
   */
  database?: DbOptions | Db;
  /**
   * Who is one visitor (one cursor, one row of the panel): each browser window or tab (`'window'`),
   * or every window of one browser together (`'browser'`, one presence member per user).
   * @default 'window'
   */
  visitorPer?: VisitorPer;
}

/** What one visitor is: a browser window (tab), or a whole browser. */
export type VisitorPer = 'window' | 'browser';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// The board's stylesheet, the React demo's too.
const stylesheet = createRequire(import.meta.url).resolve('@ghost-examples/shared/cursors/style.css');


/** Starts the demo on `port` (0 for any free port). A database that fails does not stop it. */
export async function startCursorDemo({ port = 0, database, visitorPer = 'window', ...panel }: CursorDemoOptions = {}): Promise<CursorDemo> {
  if (visitorPer !== 'window' && visitorPer !== 'browser') throw new TypeError(`startCursorDemo: visitorPer must be 'window' or 'browser', got ${JSON.stringify(visitorPer)}`);
  const [page, css, icon, script] = await Promise.all([
    readFile(here('./public/index.html'), 'utf8'),
    readFile(stylesheet, 'utf8'),
    readFile(here('./public/favicon.svg'), 'utf8'),
    bundlePage(here('./src/page.ts')),
  ]);
  // The page keeps its visitor id where `visitorPer` says: it reads this attribute.
  const html = page.replace('data-visitor-per="window"', `data-visitor-per="${visitorPer}"`);
  if (!html.includes(`data-visitor-per="${visitorPer}"`)) throw new Error('index.html has no data-visitor-per="window"');
  const assets: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/index.html': { type: 'text/html; charset=utf-8', body: html },
    '/style.css': { type: 'text/css; charset=utf-8', body: css },
    '/page.js': { type: 'text/javascript; charset=utf-8', body: script },
    '/favicon.svg': { type: 'image/svg+xml', body: icon },
  };

  // Each visitor is one presence member, whatever number of connections: see the README.
  const hub = createHub({ authenticate: visitorFrom, presenceKey: 'user' });
  // Set once the server listens (below), before any request can come.
  let activeUsers!: ActiveUsers;

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
    throw error;
  });
  // The database starts only now, behind the served page (PGlite takes seconds to start): until it
  // answers, GET /api/active-users waits and the panel says it is loading. Made in the same turn as
  // the listen callback, so no connection comes before its hooks are on.
  const db = isDb(database) ? database : openDb(database);
  activeUsers = new ActiveUsers(db, hub, panel);
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${actual}`,
    port: actual,
    hub,
    db: db.kind,
    activeUsersReady: activeUsers.ready,
    close: () =>
      (closing ??= (async () => {
        await hub.close();
        await activeUsers.close(); // after the hub: its last disconnects are written too
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

function isDb(database: DbOptions | Db | undefined): database is Db {
  return typeof (database as Db | undefined)?.query === 'function';
}

// `tsx server.ts` (or `npm start` at the repo root): listen on $PORT, 3000 by default; the panel's
// database is $DATABASE_URL (postgres://…), else PGlite in $PGLITE_DIR, else PGlite in memory;
// $VISITOR_PER=browser makes all windows of a browser one visitor.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number (0-65535), got ${JSON.stringify(process.env.PORT)}`);
    process.exit(1);
  }
  const visitorPer = process.env.VISITOR_PER || 'window';
  if (visitorPer !== 'window' && visitorPer !== 'browser') {
    console.error(`VISITOR_PER must be window or browser, got ${JSON.stringify(visitorPer)}`);
    process.exit(1);
  }
  const database = { url: process.env.DATABASE_URL || undefined, dataDir: process.env.PGLITE_DIR || undefined };
  const store = database.url ? 'PostgreSQL' : database.dataDir ? `PGlite in ${database.dataDir}` : 'PGlite in memory';
  const demo = await startCursorDemo({ port, database, visitorPer }).catch((error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: try PORT=${port + 1} npm start` : error);
    process.exit(1);
  });
  console.log(`Ghost cursors: ${demo.url}  (one visitor per ${visitorPer}; active users: ${store}, starting…)`);
  void demo.activeUsersReady.then((ok) => {
    // A failure was logged already, with its cause. performance.now() counts from the process start.
    if (ok) console.log(`[active-users] ${store} ready, ${(performance.now() / 1000).toFixed(1)} s after start`);
  });
  const stop = () => {
    void demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
