// A hub on a real HTTP server with the operations endpoints mounted, and fetch helpers that speak to them.
import type { HubOptions, OpsOptions } from '@ghost/server';
import { startHub, type RunningHub } from '../../../../test/helpers/hub.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export interface OpsHub extends RunningHub {
  /** http://127.0.0.1:PORT/ghost-admin */
  base: string;
}

/** `startHub` plus `hub.attachOps(server, { token: TOKEN })` (or the given ops options). */
export async function startOpsHub(options: HubOptions<any> = {}, ops: OpsOptions = { token: TOKEN }): Promise<OpsHub> {
  const running = await startHub(options);
  running.hub.attachOps(running.server, ops);
  return Object.assign(running, { base: `http://127.0.0.1:${running.port}${ops.path ?? '/ghost-admin'}` });
}

/** A JSON request with the token; resolves with the status and the parsed body. */
export async function call(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...AUTH, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body };
}
