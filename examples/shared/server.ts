// What the demos share on the server side: the page script bundled in memory, files served under a
// strict Content-Security-Policy, one HTTP server with the Ghost hub on /ghost, and the command-line
// start (PORT, the printed URL, Ctrl-C). No CDN, no build step, no files written.
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { createHub, type Hub, type HubOptions } from '@ghost/server';

const packages = (name: string) => fileURLToPath(new URL(`../../packages/${name}/src/index.ts`, import.meta.url));

/** Bundles a page script for the browser, with `@ghost/*` taken from the workspace sources. */
export async function bundlePage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser', // picks isomorphic-ws's browser build: the browser's own WebSocket
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    alias: { '@ghost/client': packages('client'), '@ghost/protocol': packages('protocol') },
  });
  return result.outputFiles[0]!.text;
}

/** A file served from memory. */
export interface Asset {
  type: string;
  body: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Every file of this package's `public/` (base.css, favicon.svg) and of `dir/public`, by URL path
 * (`/style.css`), plus `dir/src/page.ts` bundled as `/page.js`.
 */
export async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const folder of [fileURLToPath(new URL('public', import.meta.url)), join(dir, 'public')]) {
    for (const name of await readdir(folder)) {
      const body = await readFile(join(folder, name), 'utf8');
      assets.set(`/${name}`, { type: TYPES[extname(name)] ?? 'application/octet-stream', body });
    }
  }
  assets.set('/page.js', { type: TYPES['.js']!, body: await bundlePage(join(dir, 'src', 'page.ts')) });
  return assets;
}

// Everything comes from this process; 'self' covers the same-origin ws:// connection too. No inline
// script or style, so text that slipped into the page as HTML still could not run.
export const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Answers with `body` and the headers every answer of a demo carries. */
export function send(request: http.IncomingMessage, response: http.ServerResponse, status: number, type: string, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CSP,
    ...headers,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Answers with a line of plain text (what curl shows). */
export function sendText(request: http.IncomingMessage, response: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  send(request, response, status, 'text/plain; charset=utf-8', `${text}\n`, headers);
}

/** Serves a GET or HEAD of a static asset; false when `path` is none of them. */
export function serveAsset(assets: Map<string, Asset>, path: string, request: http.IncomingMessage, response: http.ServerResponse): boolean {
  const asset = assets.get(path);
  if (!asset) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') sendText(request, response, 405, 'Method not allowed', { allow: 'GET, HEAD' });
  else send(request, response, 200, asset.type, asset.body);
  return true;
}

/** A running demo. */
export interface Demo {
  /** `http://localhost:PORT` */
  url: string;
  port: number;
  /** The Ghost hub on `/ghost`, to publish or broadcast from the server. */
  hub: Hub;
  /** Closes the hub (clients are told to go away, and reconnect) and the HTTP server. */
  close(): Promise<void>;
}

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse, hub: Hub) => void | Promise<void>;

/**
 * Starts an HTTP server answering with `handle` and a Ghost hub on `/ghost`, on `port` (0: any free
 * port). `hubOptions` go to `createHub` (an adapter, to make the demo one node of a cluster).
 */
export async function startServer(port: number, handle: Handler, hubOptions: HubOptions = {}): Promise<Demo> {
  const hub = createHub(hubOptions);
  const server = http.createServer((request, response) => {
    Promise.resolve(handle(request, response, hub)).catch((error: unknown) => {
      console.error(error);
      if (!response.headersSent) sendText(request, response, 500, 'Internal error');
      else response.destroy();
    });
  });
  hub.attach(server, { path: '/ghost' });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await hub.close();
    throw error;
  }
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://localhost:${actual}`,
    port: actual,
    hub,
    close: () =>
      (closing ??= (async () => {
        await hub.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}

/** Whether the module at `url` is the script Node was started with (`tsx server.ts`). */
export function isMain(url: string): boolean {
  return !!process.argv[1] && url === pathToFileURL(process.argv[1]).href;
}

/**
 * The command-line start: listens on $PORT (3000 by default), prints `label: URL` (with `path`
 * appended), and closes cleanly on Ctrl-C or SIGTERM.
 */
export async function runDemo(label: string, command: string, start: (options: { port: number }) => Promise<Demo>, path = ''): Promise<void> {
  const port = Number(process.env.PORT || 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number (0-65535), got ${JSON.stringify(process.env.PORT)}`);
    process.exit(1);
  }
  const demo = await start({ port }).catch((error: NodeJS.ErrnoException) => {
    console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: try PORT=${port + 1} ${command}` : error);
    process.exit(1);
  });
  console.log(`${label}: ${demo.url}${path}`);
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
