import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import type { LeaveReason, SchemaDefinition } from '@ghost/protocol';
import {
  createHub, createMemoryBus, createOpsHandler, defineSchema, memoryAdapter, DEFAULT_LIMITS, Hub,
  type Adapter, type AdapterContext, type Authorize, type AuthorizeAction, type AuthorizeTarget, type GhostUser,
  type HubLimits, type HubOptions, type HubStats, type MemoryBus, type OpsCheck, type OpsHandler, type StreamRange,
} from '@ghost/server';
import { redisAdapter, type RedisAdapterOptions } from '@ghost/server/redis';
import { schema, strictSchema } from '../../../test/fixtures/schema.js';

const withDirect = defineSchema({
  topics: { scores: z.array(z.number()) },
  direct: z.object({ kind: z.literal('invite'), room: z.string() }),
});

describe('the hub is typed by the schema value it is given, without a generic', () => {
  it('infers the schema from createHub, and a hub without one is untyped', () => {
    expectTypeOf(createHub({ schema })).toEqualTypeOf<Hub<typeof schema>>();
    expectTypeOf(createHub()).toEqualTypeOf<Hub<SchemaDefinition>>();
    expectTypeOf(createHub({})).toEqualTypeOf<Hub<SchemaDefinition>>();
  });

  it('types publish by topic, broadcast and sendTo by the schema', () => {
    const hub = createHub({ schema });
    expectTypeOf(hub.publish<'build:status'>).parameter(1).toEqualTypeOf<{ ok: boolean; sha: string }>();
    expectTypeOf(hub.publish('build:status', { ok: true, sha: 'abc' })).toEqualTypeOf<Promise<void>>();
    // @ts-expect-error: a wrong payload for a declared topic
    void hub.publish('build:status', { ok: 'yes', sha: 'abc' });
    // Undeclared topics take anything (unknown), never any.
    expectTypeOf(hub.publish<'anything'>).parameter(1).toEqualTypeOf<unknown>();
    expectTypeOf(hub.broadcast).parameter(0).toEqualTypeOf<{ notice: string }>();
    // @ts-expect-error: broadcast data must match the schema
    void hub.broadcast({ note: 'x' });
    // No `direct` in this schema: any data.
    expectTypeOf(hub.sendTo).parameters.toEqualTypeOf<[target: string, data: unknown]>();

    const inviting = createHub({ schema: withDirect });
    expectTypeOf(inviting.sendTo).parameter(1).toEqualTypeOf<{ kind: 'invite'; room: string }>();
    // @ts-expect-error: direct data must match the schema
    void inviting.sendTo('user-1', { kind: 'kick' });
    // @ts-expect-error: the target is a connection or user id
    void inviting.sendTo(42, { kind: 'invite', room: 'r' });
  });

  it('refuses undeclared topic names under a strict schema', () => {
    const hub = createHub({ schema: strictSchema });
    expectTypeOf(hub.publish<'scores'>).parameter(1).toEqualTypeOf<number[]>();
    expectTypeOf(hub.publish).parameter(0).toEqualTypeOf<'news' | 'scores'>();
    // @ts-expect-error: not declared, and the schema is strict
    void hub.publish('gossip', 'psst');
  });

  it('without a schema every payload is unknown', () => {
    const hub = createHub();
    expectTypeOf(hub.publish<'x'>).parameter(1).toEqualTypeOf<unknown>();
    expectTypeOf(hub.broadcast).parameter(0).toEqualTypeOf<unknown>();
    expectTypeOf(hub.publish).parameter(0).toEqualTypeOf<string>();
  });
});

describe('the hub object', () => {
  const hub = createHub();

  it('attaches to an http or https server and hands back the detach', () => {
    expectTypeOf(hub.attach(http.createServer())).toEqualTypeOf<() => void>();
    expectTypeOf(hub.attach(https.createServer(), { path: '/realtime' })).toEqualTypeOf<() => void>();
    expectTypeOf(hub.handleUpgrade).parameters.toEqualTypeOf<[request: IncomingMessage, socket: Duplex, head: Buffer]>();
    expectTypeOf(hub.handleUpgrade).returns.toEqualTypeOf<Promise<void>>();
    // @ts-expect-error: the path is a string
    hub.attach(http.createServer(), { path: 3000 });
    // @ts-expect-error: a server, not a port
    hub.attach(3000);
  });

  it('types each event and hands back the function that stops listening', () => {
    const off = hub.on('connection', (event) => {
      expectTypeOf(event).toEqualTypeOf<{ id: string; user: GhostUser | undefined; address: string; request: IncomingMessage }>();
    });
    expectTypeOf(off).toEqualTypeOf<() => void>();
    hub.on('disconnect', (event) => {
      expectTypeOf(event.reason).toEqualTypeOf<LeaveReason>();
      expectTypeOf(event.code).toEqualTypeOf<number>();
    });
    hub.on('error', (error) => expectTypeOf(error).toEqualTypeOf<Error>());
    // @ts-expect-error: no such event
    hub.on('message', () => undefined);
    // @ts-expect-error: an error listener gets an Error, not a string
    hub.on('error', (error: string) => error);
  });

  it('counts synchronously and closes asynchronously', () => {
    expectTypeOf(hub.stats()).toEqualTypeOf<HubStats>();
    expectTypeOf(hub.stats().connections).toEqualTypeOf<number>();
    expectTypeOf(hub.close({ retryAfterMs: 5000 })).toEqualTypeOf<Promise<void>>();
    expectTypeOf(hub.nodeId).toEqualTypeOf<string>();
    // @ts-expect-error: read-only
    hub.nodeId = 'other';
  });
});

describe('createHub options', () => {
  it('types authenticate and authorize as the app writes them', () => {
    expectTypeOf<Authorize>().parameters.toEqualTypeOf<[user: GhostUser | undefined, target: AuthorizeTarget, action: AuthorizeAction]>();
    expectTypeOf<Authorize>().returns.toEqualTypeOf<boolean | Promise<boolean>>();
    expectTypeOf<AuthorizeAction>().toEqualTypeOf<'subscribe' | 'publish' | 'watch' | 'track' | 'join' | 'send'>();
    expectTypeOf<AuthorizeTarget['kind']>().toEqualTypeOf<'topic' | 'presence' | 'chat'>();

    createHub({
      authenticate: async (request) => {
        expectTypeOf(request).toEqualTypeOf<IncomingMessage>();
        return request.headers.cookie ? { id: 'ada', color: '#e11d48', plan: 'pro' } : null;
      },
      authorize: (user, target, action) => {
        expectTypeOf(user).toEqualTypeOf<GhostUser | undefined>();
        return target.kind !== 'chat' || action !== 'send' || user?.plan === 'pro';
      },
    });
    createHub({ authorize: async () => true, authenticate: () => ({ id: 'ada' }) });
    // @ts-expect-error: a user needs an id
    createHub({ authenticate: () => ({ name: 'ada' }) });
    // @ts-expect-error: refusing is null, not false
    createHub({ authenticate: () => false });
    // @ts-expect-error: authorize answers a boolean
    createHub({ authorize: () => 'yes' });
    // @ts-expect-error: no such action
    createHub({ authorize: (_user, _target, action) => action === 'read' });
  });

  it('takes partial limits, and refuses unknown ones and wrong values', () => {
    createHub({ limits: { messagesPerSecond: 30, maxConnections: 10_000 } });
    expectTypeOf(DEFAULT_LIMITS).toEqualTypeOf<Readonly<HubLimits>>();
    // @ts-expect-error: no such limit
    createHub({ limits: { messagesPerMinute: 30 } });
    // @ts-expect-error: a number
    createHub({ limits: { burst: '10' } });
  });

  it('types the other options by what they accept', () => {
    const options: HubOptions = {
      origins: ['https://app.example'],
      trustProxy: 2,
      heartbeatMs: 15_000,
      graceMs: 10_000,
      tickMs: 33,
      chat: { historySize: 100, names: 'single-script' },
      recovery: { topics: (topic) => topic.startsWith('orders:'), historySize: 500 },
      slowTopics: { policy: (topic) => (topic === 'ticks' ? 'disconnect' : 'drop-oldest'), maxQueued: 64 },
      presenceKey: 'user',
      nodeId: 'node-a',
      adapter: memoryAdapter(),
    };
    createHub(options);
    createHub({ origins: (origin) => origin.endsWith('.app.example'), recovery: { topics: true } });
    // @ts-expect-error: no such policy
    createHub({ slowTopics: { policy: 'block' } });
    // @ts-expect-error: no such rule
    createHub({ chat: { names: 'latin' } });
    // @ts-expect-error: connection or user
    createHub({ presenceKey: 'tab' });
    // @ts-expect-error: recovery names its topics
    createHub({ recovery: {} });
  });
});

describe('adapters', () => {
  it("are one interface: memory, Redis, or the app's own", () => {
    expectTypeOf(memoryAdapter()).toEqualTypeOf<Adapter>();
    expectTypeOf(memoryAdapter({ bus: createMemoryBus() })).toEqualTypeOf<Adapter>();
    expectTypeOf(createMemoryBus()).toEqualTypeOf<MemoryBus>();
    expectTypeOf(redisAdapter({ url: 'redis://localhost:6379' })).toEqualTypeOf<Adapter>();
    expectTypeOf(redisAdapter).parameter(0).toEqualTypeOf<RedisAdapterOptions>();
    redisAdapter({ cluster: ['redis://10.0.0.1:7000'], prefix: 'app:' });
    // @ts-expect-error: the options say where Redis is
    redisAdapter();
    // @ts-expect-error: cluster takes seed URLs
    redisAdapter({ cluster: 'redis://10.0.0.1:7000' });

    const own: Adapter = {
      async start(context) {
        expectTypeOf(context).toEqualTypeOf<AdapterContext>();
      },
      async subscribe(_channel, onFrame) {
        expectTypeOf(onFrame).toEqualTypeOf<(frame: string) => void>();
      },
      async unsubscribe() {},
      async publish() {},
      claim: async () => true,
      async release() {},
      append: async () => 1,
      range: async (): Promise<StreamRange> => ({ entries: [[1, 'entry']], oldestSeq: 1, lastSeq: 1 }),
      async close() {},
    };
    createHub({ adapter: own });
    // @ts-expect-error: an adapter has every method (this one has no store)
    createHub({ adapter: { start: async () => undefined, subscribe: async () => undefined, unsubscribe: async () => undefined, publish: async () => undefined, close: async () => undefined } });
    // @ts-expect-error: a claim resolves whether it was taken
    const wrongClaim: Adapter['claim'] = async () => 'taken';
    void wrongClaim;
  });
});

describe('the operations endpoints', () => {
  it('types attachOps, createOpsHandler and the app check', () => {
    const hub = createHub();
    const check: OpsCheck = async (request) => (request.headers['x-role'] === undefined ? null : request.headers['x-role'] === 'staff');
    expectTypeOf(hub.attachOps(http.createServer(), { token: 'a-long-enough-token' })).toEqualTypeOf<() => void>();
    const ops = createOpsHandler(hub, { path: '/ghost-admin', check });
    expectTypeOf(ops).toEqualTypeOf<OpsHandler>();
    expectTypeOf(ops).parameters.toEqualTypeOf<[request: IncomingMessage, response: ServerResponse, next?: (error?: unknown) => void]>();
    expectTypeOf(ops.path).toEqualTypeOf<string>();
    expectTypeOf(ops.handleUpgrade).returns.toEqualTypeOf<boolean>();
    // A typed hub fits too.
    createOpsHandler(createHub({ schema }), { token: 'a-long-enough-token' });
    // @ts-expect-error: a hub, not its options
    createOpsHandler({ schema }, { token: 'a-long-enough-token' });
    // @ts-expect-error: a check answers true, false or null
    createOpsHandler(hub, { check: () => 'staff' });
    // @ts-expect-error: the token is a string
    hub.attachOps(http.createServer(), { token: 1234567890123456 });
  });
});
