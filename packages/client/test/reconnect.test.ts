import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ErrorCode, type ClientOptions, type ClientStatus, type GhostError } from '@ghost/client';
import { PROTOCOL_VERSION } from '@ghost/protocol';
import { startTestHub } from '@ghost/testing';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { FAST_BACKOFF, openClient } from '../../../test/helpers/clients.js';
import { quietFor, waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;


// Every delay is its ceiling (20, 40, 80, then 100 ms), not a random point below it: what a test
// sees of the reconnects does not depend on the draw.
const client = (url: string, options: ClientOptions = {}) =>
  openClient(url, { ...options, backoff: { ...FAST_BACKOFF.backoff, random: () => 1, ...options.backoff } });

describe('reconnect', () => {
  it('after the server restarts on the same port: subscriptions and presence restored, queued publishes delivered once', async () => {
    running = await startHub({ tickMs: 5 });
    const port = running.port;
    let attempts = 0;
    const c = client(running.url, { params: () => (attempts++, {}) });
    const statuses: ClientStatus[] = [];
    c.on('status', (s) => statuses.push(s));
    const got: unknown[] = [];
    c.topic('world').subscribe((data) => got.push(data));
    c.presence('lobby').track({ x: 5 });
    await waitFor(() => c.status === 'open');
    await c.topic('world').publish('before');
    await waitFor(() => got.length === 1);

    await running.close();
    await waitFor(() => c.status === 'reconnecting');
    const queued = [c.topic('world').publish('queued-1'), c.topic('world').publish('queued-2')];
    expect(c.queued).toBe(2);
    const attemptsWhenClosed = attempts;
    await waitFor(() => attempts >= attemptsWhenClosed + 3, 3000, 'a few failed attempts against the closed port');

    running = await startHub({ tickMs: 5 }, port);
    await Promise.all(queued);
    // A later publish on the same link: once it is back, a queued one delivered twice would be in front of it.
    await c.topic('world').publish('after');
    await waitFor(() => got.includes('after'));
    expect(got).toEqual(['before', 'queued-1', 'queued-2', 'after']);
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
    expect(running.hub.stats()).toMatchObject({ connections: 1, topics: 1, members: 1 });

    const observer = client(running.url);
    await waitFor(() => observer.presence('lobby').others.length === 1);
    expect(observer.presence('lobby').others[0]!.state).toEqual({ x: 5 });
  });

  it('a dropped link within the grace period resumes as the same member: others see no leave and no join', async () => {
    running = await startHub({ tickMs: 5, graceMs: 5000 });
    const tcp = new Map<string, import('node:net').Socket>();
    running.hub.on('connection', ({ id, request }) => tcp.set(id, request.socket as import('node:net').Socket));
    const watcher = client(running.url);
    const events: string[] = [];
    watcher.presence('lobby').on('join', () => events.push('join'));
    watcher.presence('lobby').on('leave', () => events.push('leave'));
    const mover = client(running.url);
    mover.presence('lobby').track({ x: 1 });
    await waitFor(() => events.length === 1);
    const id = mover.self!.id;

    const statuses: ClientStatus[] = [];
    mover.on('status', (s) => statuses.push(s));
    tcp.get(id)!.destroy(); // the TCP connection dies, as in a network blip
    await waitFor(() => statuses.join() === 'reconnecting,open');
    expect(mover.self!.id).toBe(id);
    mover.presence('lobby').track({ x: 2 });
    await waitFor(() => (watcher.presence('lobby').others[0]?.state as { x: number } | undefined)?.x === 2);
    expect(events).toEqual(['join']);
    expect(watcher.presence('lobby').others.map((m) => m.id)).toEqual([id]);
  });

  it('a refused client stops retrying, reports why, and ends closed', async () => {
    let attempts = 0;
    running = await startHub({ authenticate: () => { attempts++; return null; } });
    const c = client(running.url);
    const errors: GhostError[] = [];
    c.on('error', (e) => errors.push(e));
    await waitFor(() => c.status === 'closed');
    // A stopped client sends nothing more, so no later frame can show it did not retry: wait 10 times
    // the 20 ms its first retry would have waited.
    await quietFor(200);
    expect(attempts).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['UNAUTHORIZED']);
    await expect(c.topic('x').publish(1)).rejects.toMatchObject({ code: 'NOT_SENT' });
  });

  it('pointed at a dead address: says why on the first failed attempt (status reason and error), keeps retrying, and says it again after the next drop', async () => {
    // A real closed port: a server that listened there and closed.
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    let attempts = 0;
    const c = client(`ws://127.0.0.1:${port}/ghost`, { params: () => ({ attempt: String(++attempts) }) });
    const statuses: [ClientStatus, GhostError | undefined][] = [];
    const errors: GhostError[] = [];
    const attemptsAtError: number[] = [];
    c.on('status', (status, reason) => statuses.push([status, reason]));
    c.on('error', (error) => {
      errors.push(error);
      attemptsAtError.push(attempts);
    });

    await waitFor(() => errors.length === 1);
    expect(attemptsAtError).toEqual([1]); // on the first failed attempt, not after some of them
    expect(statuses).toEqual([['reconnecting', errors[0]]]);
    expect(errors[0]!.code).toBe(ErrorCode.UNREACHABLE);
    expect(errors[0]!.message).toMatch(new RegExp(`^Could not reach the hub at ws://127\\.0\\.0\\.1:${port}/ghost: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}; retrying \\(next attempt in 20 ms\\)$`));
    expect(errors[0]!.message).not.toContain('attempt=1'); // the query (app params, tokens) stays out of it

    // The retries go on, without a report each time; a hub on that port gets the client back.
    await waitFor(() => attempts >= 4);
    expect(c.status).toBe('reconnecting');
    expect(errors).toHaveLength(1);
    running = await startHub({}, port);
    await waitFor(() => c.status === 'open');
    expect(statuses.at(-1)).toEqual(['open', undefined]);

    // A drop of an open link is no error by itself (the hub may be restarting); the next outage's first failed attempt is.
    await running.close();
    await waitFor(() => errors.length === 2);
    expect(statuses.slice(-2)).toEqual([['open', undefined], ['reconnecting', undefined]]);
    expect(errors[1]!.code).toBe(ErrorCode.UNREACHABLE);
  });

  it('pointed at a server that is no hub: the first failed attempt says what it answered', async () => {
    const app = await startTestHub({}, { cleanup: closeAfterTest });
    const c = client(`ws://127.0.0.1:${app.port}/not-ghost`);
    const reasons: (GhostError | undefined)[] = [];
    c.on('status', (_status, reason) => reasons.push(reason));
    const error = await new Promise<GhostError>((resolve) => c.on('error', resolve));
    expect(error.code).toBe(ErrorCode.UNREACHABLE);
    expect(error.message).toContain(`Could not reach the hub at ws://127.0.0.1:${app.port}/not-ghost: Unexpected server response: 404`);
    expect(reasons).toEqual([error]);
  });

  it('sends a fresh params() on every attempt, so a token can be renewed', async () => {
    const tokens: string[] = [];
    const options = {
      authenticate: (request: import('node:http').IncomingMessage) => {
        tokens.push(new URL(request.url!, 'http://x').searchParams.get('token')!);
        return { id: 'u' };
      },
    };
    running = await startHub(options);
    const port = running.port;
    let n = 0;
    const c = client(running.url, { params: async () => ({ token: `t${++n}` }) });
    await waitFor(() => c.status === 'open');
    await running.close();
    await waitFor(() => c.status === 'reconnecting');
    running = await startHub(options, port);
    await waitFor(() => c.status === 'open');
    expect(tokens[0]).toBe('t1');
    expect(tokens.length).toBe(2);
    expect(Number(tokens[1]!.slice(1))).toBeGreaterThan(1);
  });

  it('reports an outbox overflow instead of growing without end', async () => {
    running = await startHub();
    const port = running.port;
    const c = client(running.url, { maxQueued: 2 });
    await waitFor(() => c.status === 'open');
    await running.close();
    running = undefined;
    await waitFor(() => c.status === 'reconnecting');
    const errors: GhostError[] = [];
    c.on('error', (e) => errors.push(e));
    const kept = [c.topic('t').publish(1), c.topic('t').publish(2)];
    await expect(c.topic('t').publish(3)).rejects.toMatchObject({ code: 'NOT_SENT' });
    expect(errors.map((e) => e.code)).toEqual(['NOT_SENT']);
    running = await startHub({}, port);
    await Promise.all(kept);
  });

  it('drops a link on which the hub went silent, and reconnects', async () => {
    // A server that welcomes with a 50 ms heartbeat and then never says anything again.
    const wss = new WebSocketServer({ port: 0 });
    let connections = 0;
    wss.on('connection', (socket) => {
      connections++;
      socket.send(JSON.stringify({ type: 'welcome', v: PROTOCOL_VERSION, id: `c${connections}`, color: 'red', resumed: false, resume: 'x.y', heartbeatMs: 50, maxFrameBytes: 65536 }));
    });
    await new Promise((r) => wss.once('listening', r));
    const c = client(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    await waitFor(() => connections >= 2, 3000, 'a second connection');
    await c.close();
    await new Promise((r) => wss.close(r));
  });
});

describe('limits the client learns from the hub', () => {
  it('refuses a publish larger than the hub accepts, instead of being closed and looping', async () => {
    running = await startHub({ limits: { maxFrameBytes: 1024 } });
    const c = client(running.url);
    const statuses: ClientStatus[] = [];
    c.on('status', (s) => statuses.push(s));
    await waitFor(() => c.status === 'open');
    await expect(c.topic('big').publish('x'.repeat(2000))).rejects.toMatchObject({ code: 'TOO_LARGE' });
    // Answered on the link it was sent on: had the large one gone out, the hub would have closed that
    // link (1009) first, and this ack would have come after a reconnect.
    await c.topic('big').publish('small');
    expect(statuses).toEqual(['open']);
  });

  it('stops, with VERSION_MISMATCH, when the hub welcomes it in another protocol version', async () => {
    const wss = new WebSocketServer({ port: 0 });
    wss.on('connection', (socket) => socket.send(JSON.stringify({ type: 'welcome', v: PROTOCOL_VERSION + 1, id: 'x', color: 'red', resumed: false, resume: 'x.y', heartbeatMs: 1000, maxFrameBytes: 1000 })));
    await new Promise((r) => wss.once('listening', r));
    const c = client(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    const errors: GhostError[] = [];
    c.on('error', (e) => errors.push(e));
    await waitFor(() => c.status === 'closed');
    expect(errors.map((e) => e.code)).toEqual(['VERSION_MISMATCH']);
    await new Promise((r) => wss.close(r));
  });
});

describe('presence the hub would refuse by size', () => {
  it('a tracked state over the frame limit is reported, not sent: no close, no reconnect loop', async () => {
    running = await startHub({ limits: { maxFrameBytes: 1024, maxStateBytes: 4096 } });
    const c = client(running.url);
    const statuses: ClientStatus[] = [];
    const errors: GhostError[] = [];
    c.on('status', (s) => statuses.push(s));
    c.on('error', (e) => errors.push(e));
    await waitFor(() => c.status === 'open');
    c.presence('lobby').track({ blob: 'x'.repeat(2000) });
    await waitFor(() => errors.length === 1);
    expect(errors[0]!.code).toBe('TOO_LARGE');
    // A request after it, answered on the same link: had the state gone out, the hub would have closed
    // that link (1009) first, and the ack would have come after a reconnect.
    await c.topic('after').publish(1);
    expect(statuses).toEqual(['open']);
  });
});

describe('reconnecting when the moment is right', () => {
  it("tries at once when the environment says the network is back ('online'), instead of sleeping out its backoff", async () => {
    // Node has no window: stand one in for the two events the client listens to.
    const events = new EventTarget();
    const global = globalThis as unknown as { addEventListener?: unknown; removeEventListener?: unknown };
    global.addEventListener = events.addEventListener.bind(events);
    global.removeEventListener = events.removeEventListener.bind(events);
    try {
      running = await startHub();
      const port = running.port;
      const c = client(running.url, { backoff: { minDelayMs: 60_000, maxDelayMs: 60_000 } });
      await waitFor(() => c.status === 'open');
      await running.close();
      await waitFor(() => c.status === 'reconnecting');
      // Its first retry is due in a minute; the hub is back now.
      running = await startHub({}, port);
      expect(c.status).toBe('reconnecting');
      events.dispatchEvent(new Event('online'));
      await waitFor(() => c.status === 'open', 2000, 'an immediate attempt');
    } finally {
      delete global.addEventListener;
      delete global.removeEventListener;
    }
  });

  it("waits out the hub's retry-after hint when refused for load, even if the network comes back meanwhile", async () => {
    const events = new EventTarget();
    const global = globalThis as unknown as { addEventListener?: unknown; removeEventListener?: unknown };
    global.addEventListener = events.addEventListener.bind(events);
    global.removeEventListener = events.removeEventListener.bind(events);
    try {
      running = await startHub({ limits: { maxConnections: 1, retryAfterMs: 1200 } });
      const attempts: number[] = [];
      running.server.on('upgrade', () => attempts.push(Date.now()));
      const first = client(running.url);
      await waitFor(() => first.status === 'open');
      const second = client(running.url);
      await waitFor(() => attempts.length === 2 && second.status === 'reconnecting', 3000, 'the refusal');
      events.dispatchEvent(new Event('online')); // must not cut the hub's requested wait short
      await first.close();
      await waitFor(() => second.status === 'open', 5000, 'the second client to get in once there is room');
      // One attempt after the refusal, not sooner than the hint (at least half of retryAfterMs): an
      // attempt made on 'online' would be one more, within milliseconds of the refusal.
      expect(attempts).toHaveLength(3);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(600);
    } finally {
      delete global.addEventListener;
      delete global.removeEventListener;
    }
  });
});
