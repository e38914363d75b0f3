// The HTTP API of hub.attachOps: what a caller with the token can do, what everyone else gets, and
// that bad requests are refused with a JSON error and change nothing.
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CloseCode, createHub, createOpsHandler, defineSchema, type OpsCheck, type OpsHandler } from '@ghost/server';
import { closeAfterTest } from '../../../../test/helpers/cleanup.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';
import { AUTH, TOKEN, call, startOpsHub } from './ops-hub.js';

async function subscriber(url: string, topic: string) {
  const { client, id } = await RawClient.welcomed(url);
  client.send({ type: 'topic.subscribe', topic, ref: 1 });
  await client.next('ack');
  return { client, id };
}

/** A POST whose body has no Content-Type, as `fetch` sends a Blob without a type. */
async function untyped(url: string, body: string) {
  const response = await fetch(url, { method: 'POST', headers: AUTH, body: new Blob([body]) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('the operations HTTP API', () => {
  it('publishes to a topic and broadcasts for a caller with the token', async () => {
    const running = await startOpsHub();
    const { client } = await subscriber(running.url, 'rooms/news');

    const published = await call(`${running.base}/topics/rooms%2Fnews`, { body: { headline: 'hi' } });
    expect(published).toMatchObject({ status: 202, body: { published: true, topic: 'rooms/news' } });
    expect(await client.next('topic.message')).toMatchObject({ topic: 'rooms/news', data: { headline: 'hi' }, from: null });

    expect(await call(`${running.base}/broadcast`, { body: { notice: 'maintenance at noon' } })).toMatchObject({ status: 202 });
    expect(await client.next('broadcast')).toMatchObject({ data: { notice: 'maintenance at noon' } });
  });

  it('reads stats and presence, and disconnects a member so its presence leaves at once', async () => {
    const running = await startOpsHub({ tickMs: 5 });
    const { client: watcher } = await RawClient.welcomed(running.url);
    watcher.send({ type: 'presence.join', room: 'lobby' });
    await watcher.next('presence.snapshot');
    const { client: member, id } = await RawClient.welcomed(running.url);
    member.send({ type: 'presence.track', room: 'lobby', state: { x: 1 } });
    await watcher.next('presence.diff');

    expect(await call(`${running.base}/stats`)).toMatchObject({ status: 200, body: { node: running.hub.nodeId, stats: { connections: 2, members: 1 } } });
    const presence = await call(`${running.base}/rooms/lobby/presence`);
    expect(presence.status).toBe(200);
    expect(presence.body).toMatchObject({ room: 'lobby', missing: [], members: [{ id, state: { x: 1 }, node: running.hub.nodeId }] });

    expect(await call(`${running.base}/connections/${id}`, { method: 'DELETE' })).toMatchObject({ status: 200, body: { disconnected: 1 } });
    expect(await member.closed()).toBe(CloseCode.DISCONNECTED_BY_OPERATOR);
    expect(member.closeReason).toBe('disconnected by an operator');
    expect((await watcher.next('presence.diff')).leaves).toEqual([{ id, reason: 'disconnected' }]);
    expect(await call(`${running.base}/connections/${id}`, { method: 'DELETE' })).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('answers 401 without credentials and 403 with a wrong token, and leaves the app routes alone', async () => {
    const running = await startOpsHub();
    const anonymous = await fetch(`${running.base}/stats`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const wrong = await call(`${running.base}/stats`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await call(`${running.base}/metrics`, { headers: { authorization: 'Basic abc' } })).toMatchObject({ status: 403 });

    const app = await fetch(`http://127.0.0.1:${running.port}/somewhere`);
    expect(await app.text()).toBe('app route /somewhere');
    expect(await call(`${running.base}/nothing-here`)).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('refuses bad requests with a 4xx JSON error and publishes nothing', async () => {
    const schema = defineSchema({ topics: { scores: z.object({ points: z.number() }) } });
    const running = await startOpsHub({ schema, limits: { maxTopics: 10 } });
    const { client } = await subscriber(running.url, 'scores');
    const topic = `${running.base}/topics/scores`;

    const refusals = [
      [await call(topic, { body: '{"points": 1' }), 400, 'BAD_REQUEST'],
      [await call(topic, { body: '' , headers: { 'content-type': 'application/json' } }), 400, 'BAD_REQUEST'],
      [await call(topic, { body: { points: 'many' } }), 422, 'INVALID_PAYLOAD'],
      [await call(topic, { body: 'points=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      // What a cross-site page can send without a preflight (a typeless blob): refused, so a cookie-based check cannot be ridden.
      [await untyped(topic, '{"points":2}'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [await call(topic, { body: { points: 1, pad: 'x'.repeat(70_000) } }), 413, 'TOO_LARGE'],
      [await call(`${running.base}/topics/two%20words`, { body: { points: 1 } }), 400, 'INVALID_NAME'],
      [await call(topic, { method: 'PUT', body: { points: 1 } }), 405, 'METHOD_NOT_ALLOWED'],
      [await call(`${running.base}/rooms/two%20words/presence`), 400, 'INVALID_NAME'],
    ] as const;
    for (const [response, status, code] of refusals) {
      expect(response.status, code).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toEqual(expect.any(String));
    }
    expect(refusals[7][0].headers.get('allow')).toBe('POST');

    // Still working, and nothing of the above got through.
    expect(await call(topic, { body: { points: 3 } })).toMatchObject({ status: 202 });
    // Published after every refusal, on the same socket: had one got through, it would have come first.
    expect(await client.next('topic.message')).toMatchObject({ data: { points: 3 } });
    expect(client.ofType('topic.message')).toHaveLength(1);
  });

  it('uses the app check instead of a token: null is 401, false is 403, a throw is 403 and reported', async () => {
    const errors: Error[] = [];
    const check: OpsCheck = async (request) => {
      const role = request.headers['x-role'];
      if (role === 'boom') throw new Error('session store down');
      return role === undefined ? null : role === 'staff';
    };
    const running = await startOpsHub({}, { path: '/admin', check });
    running.hub.on('error', (error) => errors.push(error));
    expect((await fetch(`${running.base}/stats`)).status).toBe(401);
    expect((await fetch(`${running.base}/stats`, { headers: { 'x-role': 'guest' } })).status).toBe(403);
    expect((await fetch(`${running.base}/stats`, { headers: { 'x-role': 'boom' } })).status).toBe(403);
    expect(errors.map((e) => e.message)).toEqual(['session store down']);
    const staff = await fetch(`${running.base}/stats`, { headers: { 'x-role': 'staff' } });
    expect(staff.status).toBe(200);
  });

  it('refuses options without a guard, with a short token, or with a bad path, saying the fix', () => {
    const hub = createHub();
    closeAfterTest(() => hub.close());
    expect(() => createOpsHandler(hub, {})).toThrow(/need a guard: pass \{ token \}/);
    expect(() => createOpsHandler(hub, { token: 'short' })).toThrow(/at least 16 characters/);
    expect(() => createOpsHandler(hub, { token: TOKEN, check: () => true })).toThrow(/not both/);
    expect(() => createOpsHandler(hub, { token: TOKEN, path: 'admin' })).toThrow(/must start with "\/"/);
    expect(() => createOpsHandler(hub, { token: TOKEN, clusterTimeoutMs: 0 })).toThrow(TypeError);
  });

  it('refuses something shaped like a hub that createHub did not make', () => {
    // OpsHub is a shape, so this type-checks: the run-time check is what stands between it and ops.
    const lookalike = { attachOps: () => () => {} };
    expect(() => createOpsHandler(lookalike, { token: TOKEN })).toThrow(/must be a hub made by createHub\(\)/);
  });

  it('works as Express middleware through createOpsHandler: other paths fall through to the app', async () => {
    const hub = createHub();
    const ops: OpsHandler = createOpsHandler(hub, { token: TOKEN, path: '/ops' });
    expect(ops.path).toBe('/ops');
    const app = express();
    app.use(ops);
    app.get('/hello', (_request, response) => void response.send('hello from the app'));
    const server = http.createServer(app);
    hub.attach(server, { path: '/ghost' });
    server.on('upgrade', (request, socket, head) => ops.handleUpgrade(request, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closeAfterTest(async () => {
      ops.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    expect(await (await fetch(`${origin}/hello`)).text()).toBe('hello from the app');
    expect(ops.matches({ url: '/ops/stats' } as http.IncomingMessage)).toBe(true);
    expect(ops.matches({ url: '/opsx' } as http.IncomingMessage)).toBe(false);
    const { client } = await subscriber(`${origin.replace('http', 'ws')}/ghost`, 'news');
    expect(await call(`${origin}/ops/topics/news`, { body: { n: 1 } })).toMatchObject({ status: 202 });
    expect(await client.next('topic.message')).toMatchObject({ data: { n: 1 } });
    const ticket = await call(`${origin}/ops/inspector/ticket`, { method: 'POST', headers: AUTH });
    expect(ticket.body.ticket).toEqual(expect.any(String));
  });
});
