// The chat demo: channels named by the URL path. /fishing serves the page, which joins the Ghost chat
// room "fishing"; / sends you to /lobby. Names, history and delivery are the hub's chat rooms.
import { fileURLToPath } from 'node:url';
import type { HubOptions } from '@ghost/server';
import { isMain, loadAssets, runDemo, send, sendText, serveAsset, startServer, type Demo, type Handler } from '@ghost-examples/shared/server';

/** What a channel may be called: safe in a URL as it is, and a valid Ghost room name. */
export const CHANNEL = /^[A-Za-z0-9_-]{1,64}$/;

/** Options of {@link startChatDemo}. */
export interface ChatDemoOptions {
  /** 0 for any free port. */
  port?: number;
  /** For `createHub`: an adapter makes this demo one node of a cluster. */
  hub?: HubOptions;
  /** Routes tried before the chat's own; answer and resolve true to take the request. */
  route?: (...args: Parameters<Handler>) => boolean;
}

/** Starts the demo on `port` (0 for any free port). */
export async function startChatDemo({ port = 0, hub, route }: ChatDemoOptions = {}): Promise<Demo> {
  const assets = await loadAssets(fileURLToPath(new URL('.', import.meta.url)));
  const page = assets.get('/index.html')!;
  const notFound = assets.get('/404.html')!;
  assets.delete('/index.html');
  assets.delete('/404.html');

  return startServer(port, (request, response, ghost) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (route?.(request, response, ghost)) return;
    if (serveAsset(assets, path, request, response)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(request, response, 405, 'Method not allowed', { allow: 'GET, HEAD' });
    if (path === '/') return sendText(request, response, 302, 'See /lobby', { location: '/lobby' });
    const channel = path.slice(1);
    if (CHANNEL.test(channel)) send(request, response, 200, page.type, page.body);
    else send(request, response, 404, notFound.type, notFound.body);
  }, hub);
}

// `tsx server.ts` (npm run example:chat at the repo root): listen on $PORT, 3000 by default.
if (isMain(import.meta.url)) await runDemo('Ghost chat', 'npm run example:chat', startChatDemo, '/lobby');
