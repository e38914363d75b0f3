// What every recipe test checks, over http:// or https://: an app route answers, a Ghost client
// connects and gets a topic message (published by an app route), the other WebSocket path still
// works, an unknown WebSocket path is refused rather than left hanging, and close() ends it all.
import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { expect } from 'vitest';
import { createClient } from '@ghost/client';
import { closeAfterTest } from '../test/helpers/cleanup.js';
import { waitFor } from '../test/helpers/wait.js';

export interface Started {
  port: number;
  server: http.Server | https.Server;
  hub: { stats(): { connections: number; topics: number } };
  close(): Promise<unknown>;
}

export interface CheckOptions {
  /** The CA to trust (the self-signed certificate) when the recipe serves https. */
  ca?: string;
}

/** An HTTP(S) request; resolves with the status and the body. */
export function request(url: string, options: { method?: string; body?: unknown; ca?: string } = {}): Promise<{ status: number; body: string }> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: options.method ?? 'GET',
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      ...(options.ca && { ca: options.ca }),
      agent: false,
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a raw `ws` socket; resolves with it once open, or rejects with the HTTP status of a refusal. */
export async function openSocket(url: string, ca?: string): Promise<WebSocket> {
  const socket = new WebSocket(url, ca ? { ca } : {});
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => {
      socket.terminate();
      reject(new Error(`HTTP ${response.statusCode}`));
    });
    socket.once('error', reject);
  });
}

export async function checkRecipe(start: () => Promise<Started>, options: CheckOptions = {}): Promise<void> {
  const running = await start();
  let closed = false;
  closeAfterTest(() => (closed ? undefined : running.close()));
  const secure = options.ca !== undefined;
  const base = `${secure ? 'https' : 'http'}://localhost:${running.port}`;
  const wsBase = `${secure ? 'wss' : 'ws'}://localhost:${running.port}`;

  // 1. An app route answers.
  const hello = await request(`${base}/api/hello`, { ca: options.ca });
  expect(hello.status).toBe(200);
  expect(JSON.parse(hello.body)).toEqual({ hello: 'world' });

  // 2. A Ghost client connects and gets what an app route publishes.
  const ca = options.ca;
  const TrustingWebSocket = ca
    ? (class extends WebSocket {
        constructor(url: string) {
          super(url, { ca });
        }
      })
    : undefined;
  const client = createClient(`${wsBase}/ghost`, TrustingWebSocket ? { WebSocket: TrustingWebSocket } : {});
  closeAfterTest(() => client.close());
  const received: unknown[] = [];
  client.topic('news').subscribe((data) => received.push(data));
  await waitFor(() => client.status === 'open', 5000, 'the Ghost client to open');
  await waitFor(() => running.hub.stats().topics === 1, 5000, 'the subscription to reach the hub');
  const published = await request(`${base}/api/news`, { method: 'POST', body: { headline: 'Mounted' }, ca: options.ca });
  expect(published.status).toBe(202);
  await waitFor(() => received.length === 1, 5000, 'the topic message');
  expect(received).toEqual([{ headline: 'Mounted' }]);

  // 3. The other WebSocket path still works, at the same time.
  const echo = await openSocket(`${wsBase}/echo`, options.ca);
  echo.send('ping');
  const [reply] = (await once(echo, 'message')) as [Buffer];
  expect(reply.toString()).toBe('ping');
  echo.close();

  // 4. A WebSocket path nobody serves is refused, not left hanging.
  await expect(openSocket(`${wsBase}/nope`, options.ca)).rejects.toThrow('HTTP 404');

  // 5. close() closes the hub (the client is told to go), the echo and the server.
  expect(running.hub.stats().connections).toBe(1);
  await running.close();
  closed = true;
  expect(running.server.listening).toBe(false);
}
