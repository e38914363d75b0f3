import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { Tickets } from './check.js';
import { handleApi, type ApiContext } from './http-api.js';
import { HttpError, sendError } from './http.js';
import { InspectorFeed } from './inspector.js';
import type { HubInternals } from './internals.js';
import { INSPECTOR_CSS, INSPECTOR_HTML, INSPECTOR_JS } from './inspector-page.js';
import { resolveOpsOptions, type OpsOptions } from './options.js';
import { LOOP_RESOLUTION_MS } from './prometheus.js';
import { toError } from '../to-error.js';

/**
 * The operations endpoints as a Node request listener, for apps that route requests themselves (plain
 * `http`, Express, Fastify's raw handler). Requests outside its path go to `next` (404 without one).
 */
export interface OpsHandler {
  /** Serves `request` when its path is under {@link OpsHandler.path}; otherwise calls `next`, or answers 404. */
  (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void;
  /** The path everything is served under, such as `/ghost-admin`. */
  readonly path: string;
  /** Whether a request's path is under {@link OpsHandler.path}. */
  matches(request: IncomingMessage): boolean;
  /** Takes the inspector's live-feed upgrade; false (and nothing done) when the request is for another path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Closes the inspector's live sockets and stops measuring the event loop. */
  close(): void;
}

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  // The page's data is user content (names, states): it is only ever written as text, and the policy
  // keeps anything injected from running or reaching elsewhere anyway.
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};
const assets: Record<string, [type: string, body: string]> = {
  '/': ['text/html; charset=utf-8', INSPECTOR_HTML],
  '/inspector.js': ['text/javascript; charset=utf-8', INSPECTOR_JS],
  '/inspector.css': ['text/css; charset=utf-8', INSPECTOR_CSS],
};

/**
 * The operations endpoints over a hub's internals (see `createOpsHandler`, the public way in). The
 * internals come through a getter so that bad options are reported before a wrong `hub` argument.
 * @internal
 */
export function opsHandlerOf(getInternals: () => HubInternals, options: OpsOptions): OpsHandler {
  const resolved = resolveOpsOptions(options, 'createOpsHandler');
  const { path } = resolved;
  const internals = getInternals();
  const tickets = new Tickets();
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  const context: ApiContext = { internals: internals, options: resolved, tickets, loopDelay };
  const feed = new InspectorFeed(internals, tickets, resolved.inspectorIntervalMs);

  const urlOf = (request: IncomingMessage) =>
    new URL((request as { originalUrl?: string }).originalUrl ?? request.url ?? '/', 'http://localhost');
  const routeOf = (pathname: string) => (pathname === path ? '' : pathname.startsWith(`${path}/`) ? pathname.slice(path.length) : undefined);

  async function serve(request: IncomingMessage, response: ServerResponse, route: string, url: URL): Promise<void> {
    if (route === '') {
      response.writeHead(308, { location: `${path}/${url.search}` }).end();
      return;
    }
    const asset = assets[route];
    if (asset && (request.method === 'GET' || request.method === 'HEAD')) {
      // The page holds no data: everything it shows comes through the checked API and feed.
      response.writeHead(200, { 'content-type': asset[0], ...PAGE_HEADERS }).end(request.method === 'HEAD' ? undefined : asset[1]);
      return;
    }
    await guard(request);
    if (!(await handleApi(context, request, response, route, url))) {
      throw new HttpError(404, 'NOT_FOUND', `No ${request.method ?? 'GET'} ${url.pathname} here; see docs/operations.md for the routes`);
    }
  }

  async function guard(request: IncomingMessage): Promise<void> {
    let allowed: boolean | null;
    try {
      allowed = await resolved.check(request);
    } catch (error) {
      internals.reportError(toError(error));
      allowed = false; // a throwing check refuses rather than lets a stranger in
    }
    if (allowed === null || allowed === undefined) {
      throw new HttpError(401, 'UNAUTHORIZED', 'Send credentials: Authorization: Bearer <token>', { 'www-authenticate': 'Bearer realm="ghost-ops"' });
    }
    if (allowed !== true) throw new HttpError(403, 'FORBIDDEN', 'These credentials may not use the operations API');
  }

  const handler = (request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void): void => {
    const url = urlOf(request);
    const route = routeOf(url.pathname);
    if (route === undefined) {
      if (next) next();
      else sendError(response, new HttpError(404, 'NOT_FOUND', `Not an operations path: they are under ${path}`));
      return;
    }
    serve(request, response, route, url).catch((error: unknown) => {
      if (!(error instanceof HttpError)) internals.reportError(toError(error));
      const refusal = error instanceof HttpError ? error : new HttpError(500, 'INTERNAL', 'The hub failed to handle this request');
      if (!response.headersSent) sendError(response, refusal);
      else response.destroy();
      // An unread body must not stall the connection that carried it.
      if (!request.readableEnded) request.resume();
    });
  };

  return Object.assign(handler, {
    path,
    matches: (request: IncomingMessage) => routeOf(urlOf(request).pathname) !== undefined,
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const url = urlOf(request);
      if (url.pathname !== `${path}/inspector/live`) return false;
      feed.handleUpgrade(request, socket, head, url.searchParams.get('ticket'));
      return true;
    },
    close() {
      feed.close();
      loopDelay.disable();
    },
  });
}
