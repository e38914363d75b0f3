// The files of the throwaway app: code that uses the installed packages the way an app would.

/**
 * A Node smoke test of the installed packages, as ESM and as CJS: a hub on node:http, a client that
 * subscribes and receives what the server publishes, and the test kit loaded. Prints JSON on its last line.
 */
export const smoke = (kind: 'esm' | 'cjs') => `
${kind === 'esm'
    ? `import http from 'node:http';
import { createRequire } from 'node:module';
import * as protocol from '@ghost/protocol';
import { createHub, CloseCode } from '@ghost/server';
import { createClient } from '@ghost/client';
import * as testing from '@ghost/testing';
import * as react from '@ghost/react';
const require = createRequire(import.meta.url);
const loadRedis = () => import('@ghost/server/redis');`
    : `const http = require('node:http');
const protocol = require('@ghost/protocol');
const { createHub, CloseCode } = require('@ghost/server');
const { createClient } = require('@ghost/client');
const testing = require('@ghost/testing');
const react = require('@ghost/react');
const loadRedis = async () => require('@ghost/server/redis');`}
const loaded = () => Object.keys(require.cache).filter((path) => /[\\\\/]node_modules[\\\\/]ioredis[\\\\/]/.test(path)).length;

async function main() {
  const result = {
    protocolVersion: protocol.PROTOCOL_VERSION,
    versionMismatch: CloseCode.VERSION_MISMATCH,
    testKit: typeof testing.startTestHub,
    reactHooks: [react.GhostProvider, react.usePresence, react.useTopic].map((f) => typeof f).join(),
  };
  const server = http.createServer((req, res) => res.end('app'));
  const hub = createHub();
  hub.attach(server, { path: '/ghost' });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = createClient('ws://127.0.0.1:' + server.address().port + '/ghost');
  const received = new Promise((resolve) => client.topic('news').subscribe((data) => resolve(data)));
  for (let i = 0; i < 500 && hub.stats().topics === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await hub.publish('news', { headline: 'hello' });
  result.received = await Promise.race([received, new Promise((r) => setTimeout(() => r('TIMEOUT'), 5000).unref())]);
  await client.close();
  await hub.close();
  await new Promise((resolve) => server.close(resolve));
  result.ioredisModulesAfterServer = loaded();
  try {
    const redis = await loadRedis();
    result.redis = typeof redis.redisAdapter;
    result.ioredisModulesAfterRedis = loaded();
  } catch (error) {
    result.redis = 'error';
    result.redisError = String(error && error.message).split('\\n')[0];
  }
  console.log(JSON.stringify(result));
}
main().catch((error) => { console.error(error); process.exit(1); });
`;

/** What the smoke script prints. */
export interface Smoke {
  protocolVersion: number;
  versionMismatch: number;
  testKit: string;
  reactHooks: string;
  received: unknown;
  ioredisModulesAfterServer: number;
  redis: string;
  redisError?: string;
  ioredisModulesAfterRedis?: number;
}

/** A user's own test written with the kit, run by `node --test` (the guide's example, ESM and CJS). */
export const kitTest = (kind: 'esm' | 'cjs') => `
${kind === 'esm'
    ? `import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestHub, waitFor } from '@ghost/testing';`
    : `const { test } = require('node:test');
const assert = require('node:assert/strict');
const { startTestHub, waitFor } = require('@ghost/testing');`}

test('a publish reaches another client (${kind})', async (t) => {
  const hub = await startTestHub({}, { cleanup: (close) => t.after(close) });
  const [ada, bob] = await Promise.all([hub.connect(), hub.connect()]);
  const received = new Promise((resolve) => bob.topic('news').subscribe(resolve));
  await waitFor(() => hub.hub.stats().topics === 1);
  await ada.topic('news').publish({ headline: 'hi' });
  assert.deepEqual(await received, { headline: 'hi' });
});

test('a refused client rejects connect with its code (${kind})', async (t) => {
  const hub = await startTestHub({ authenticate: () => null }, { cleanup: (close) => t.after(close) });
  await assert.rejects(hub.connect(), { code: 'UNAUTHORIZED' });
});
`;

// Type-level use of every entry. `@ts-expect-error` lines fail the check if the types degraded to `any`.
export const typesEsm = `import http from 'node:http';
import { z } from 'zod';
import { defineSchema, PROTOCOL_VERSION, type ClientMessage } from '@ghost/protocol';
import { createHub, CloseCode, type Hub } from '@ghost/server';
import { createClient, type GhostClient } from '@ghost/client';
import { startTestHub, type TestHub } from '@ghost/testing';

export const schema = defineSchema({ topics: { news: z.object({ headline: z.string() }) } });
const server = http.createServer();
const hub: Hub<typeof schema> = createHub({ schema });
hub.attach(server, { path: '/ghost' });
export async function serverSide(): Promise<void> {
  await hub.publish('news', { headline: 'typed' });
  // @ts-expect-error: headline must be a string
  await hub.publish('news', { headline: 1 });
}
const client: GhostClient<typeof schema> = createClient('/ghost', { schema });
client.topic('news').subscribe((data) => {
  const headline: string = data.headline;
  // @ts-expect-error: no such field
  void data.nope;
  void headline;
});
export async function testKit(): Promise<void> {
  const kit: TestHub<typeof schema> = await startTestHub({ schema });
  const typed = await kit.connect();
  await typed.topic('news').publish({ headline: 'typed' });
  // @ts-expect-error: headline must be a string
  await typed.topic('news').publish({ headline: 2 });
  await kit.close();
}
export const version: 2 = PROTOCOL_VERSION;
export const code: 4006 = CloseCode.VERSION_MISMATCH;
export type Message = ClientMessage['type'];
`;

export const typesCjs = `import http = require('node:http');
import protocol = require('@ghost/protocol');
import server = require('@ghost/server');
import client = require('@ghost/client');
import redis = require('@ghost/server/redis');
import testing = require('@ghost/testing');

const hub = server.createHub({ adapter: redis.redisAdapter({ url: 'redis://127.0.0.1:6379' }) });
hub.attach(http.createServer(), { path: '/ghost' });
const ghost = client.createClient('ws://127.0.0.1:3000/ghost');
ghost.topic('t').subscribe((data, meta) => {
  const from: string | null = meta.from;
  void data;
  void from;
});
export const v: number = protocol.PROTOCOL_VERSION;
export const kit: Promise<testing.TestHub> = testing.startTestHub();
// @ts-expect-error: not a function of the hub
hub.nope();
`;

export const typesRedis = `import { createHub } from '@ghost/server';
import { redisAdapter, type RedisAdapterOptions } from '@ghost/server/redis';
const options: RedisAdapterOptions = { url: 'redis://127.0.0.1:6379' };
export const hub = createHub({ adapter: redisAdapter(options) });
// @ts-expect-error: url must be a string
redisAdapter({ url: 6379 });
`;

/** The app's tsconfig for one module resolution. */
export function tsconfig(kind: 'node16' | 'bundler', files: string[], skipLibCheck: boolean): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: kind === 'node16' ? 'node16' : 'esnext',
      moduleResolution: kind,
      lib: ['ES2022', 'DOM'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck,
      esModuleInterop: true,
    },
    files,
  }, null, 2);
}

export const TYPE_CHECKS = [
  { kind: 'node16', files: ['types-esm.ts', 'types-cjs.cts', 'types-redis.ts'] },
  { kind: 'bundler', files: ['types-esm.ts', 'types-redis.ts'] },
] as const;

export const configName = (kind: string, skipLibCheck: boolean) => `tsconfig.${kind}${skipLibCheck ? '.skiplib' : ''}.json`;

/**
 * The browser entries: the client, subscribed to `news`, recording what it receives in `window.__seen`
 * (a page check reads it); and `@ghost/server`, which does not belong in a browser.
 */
export const browserClient = `import { createClient } from '@ghost/client';
const client = createClient('/ghost');
client.topic('news').subscribe((data) => window.__seen.push(data));
`;
export const browserServer = `import { createHub } from '@ghost/server';
export const hub = createHub();
`;
