import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloseCode, ErrorCode, GhostError, isValidName, describeInvalidName } from '@ghost/protocol';
import type { MemberView } from './answers.js';
import type { Tickets } from './check.js';
import { HttpError, param, readJson, sendJson } from './http.js';
import type { HubInternals } from './internals.js';
import type { ResolvedOpsOptions } from './options.js';
import { renderMetrics, type LoopDelay } from './prometheus.js';

/** What the API routes work with. */
export interface ApiContext {
  internals: HubInternals;
  options: ResolvedOpsOptions;
  tickets: Tickets;
  loopDelay: LoopDelay;
}


// Each route: the methods it answers, and what it does. `route` is the path below the ops path.
type Handler = (ctx: ApiContext, request: IncomingMessage, url: URL, name: string) => Promise<[status: number, body: unknown]>;
const routes: { match(route: string): string | undefined; methods: Record<string, Handler> }[] = [
  { match: (r) => (r === '/stats' ? '' : undefined), methods: { GET: stats } },
  { match: (r) => param(r, '/topics/'), methods: { POST: publish } },
  { match: (r) => (r === '/broadcast' ? '' : undefined), methods: { POST: broadcast } },
  { match: (r) => param(r, '/rooms/', '/presence'), methods: { GET: presence } },
  { match: (r) => param(r, '/connections/'), methods: { DELETE: disconnect } },
  { match: (r) => (r === '/inspector/ticket' ? '' : undefined), methods: { POST: ticket } },
];

/** Answers one API request whose check passed; false when `route` is none of the API's. */
export async function handleApi(ctx: ApiContext, request: IncomingMessage, response: ServerResponse, route: string, url: URL): Promise<boolean> {
  if (route === '/metrics') {
    allow(request, ['GET']);
    const text = renderMetrics(ctx.internals, ctx.loopDelay);
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
    response.end(text);
    return true;
  }
  for (const { match, methods } of routes) {
    const name = match(route);
    if (name === undefined) continue;
    const handler = methods[allow(request, Object.keys(methods))]!;
    const [status, body] = await handler(ctx, request, url, name);
    sendJson(response, status, body);
    return true;
  }
  return false;
}

function allow(request: IncomingMessage, methods: string[]): string {
  const method = request.method ?? 'GET';
  if (methods.includes(method)) return method;
  throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Use ${methods.join(' or ')} here, not ${method}`, { allow: methods.join(', ') });
}

function validName(kind: string, name: string): string {
  if (!isValidName(name)) throw new HttpError(400, ErrorCode.INVALID_NAME, describeInvalidName(kind, name));
  return name;
}

/** A refusal of the hub's (a schema mismatch, a bad name) as the HTTP status it deserves. */
function fromGhostError(error: unknown): never {
  if (error instanceof GhostError) {
    const status = error.code === ErrorCode.INVALID_PAYLOAD ? 422 : error.code === ErrorCode.TOO_LARGE ? 413 : 400;
    throw new HttpError(status, error.code, error.message);
  }
  throw error;
}

async function stats(ctx: ApiContext, _request: IncomingMessage, url: URL): Promise<[number, unknown]> {
  const node = ctx.internals.nodeId;
  if (url.searchParams.get('scope') !== 'cluster') return [200, { node, stats: ctx.internals.stats() }];
  const { replies, missing } = await ctx.internals.bus.ask({ op: 'stats' }, ctx.options.clusterTimeoutMs);
  return [200, { node, nodes: Object.fromEntries(replies), missing }];
}

async function publish(ctx: ApiContext, request: IncomingMessage, _url: URL, name: string): Promise<[number, unknown]> {
  const topic = validName('topic', name);
  const data = await readJson(request, ctx.options.maxBodyBytes);
  await ctx.internals.publish(topic, data).catch(fromGhostError);
  return [202, { published: true, topic }];
}

async function broadcast(ctx: ApiContext, request: IncomingMessage): Promise<[number, unknown]> {
  const data = await readJson(request, ctx.options.maxBodyBytes);
  await ctx.internals.broadcast(data).catch(fromGhostError);
  return [202, { broadcast: true }];
}

async function presence(ctx: ApiContext, _request: IncomingMessage, _url: URL, name: string): Promise<[number, unknown]> {
  const room = validName('room', name);
  const { replies, missing } = await ctx.internals.bus.ask({ op: 'presence', room }, ctx.options.clusterTimeoutMs);
  const members: MemberView[] = [];
  for (const reply of replies.values()) if (Array.isArray(reply)) members.push(...(reply as MemberView[]));
  return [200, { room, members, missing }];
}

async function disconnect(ctx: ApiContext, _request: IncomingMessage, url: URL, target: string): Promise<[number, unknown]> {
  if (target.length > 256) throw new HttpError(400, 'BAD_REQUEST', 'A connection or user id is at most 256 characters');
  const reason = (url.searchParams.get('reason') ?? 'disconnected by an operator').slice(0, 100);
  const query = { op: 'disconnect' as const, target, code: CloseCode.DISCONNECTED_BY_OPERATOR, reason };
  const { replies, missing } = await ctx.internals.bus.ask(query, ctx.options.clusterTimeoutMs);
  let disconnected = 0;
  for (const count of replies.values()) if (typeof count === 'number') disconnected += count;
  if (disconnected === 0 && missing.length === 0) {
    throw new HttpError(404, 'NOT_FOUND', `No connection or user ${JSON.stringify(target.slice(0, 100))} on any node`);
  }
  return [200, { target, disconnected, missing }];
}

async function ticket(ctx: ApiContext): Promise<[number, unknown]> {
  return [200, { ticket: ctx.tickets.issue() }];
}
