import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';

let running: RunningHub | undefined;

const tokenOf = (request: IncomingMessage) => new URL(request.url!, 'http://x').searchParams.get('token');

describe('handshake', () => {
  it('refuses a protocol version it does not speak with close code 4006 and a reason', async () => {
    running = await startHub();
    for (const v of ['3', '99', '01', '']) {
      const client = await RawClient.connect(running.url, `?v=${v}`);
      expect(await client.closed()).toBe(4006);
      expect(client.closeReason).toBe(`protocol version ${v} is not supported; this hub speaks 1 and 2`);
      expect(client.messages).toEqual([]);
    }
  });

  it('speaks versions 1 and 2, and answers each client with the version it asked for', async () => {
    running = await startHub();
    for (const v of [1, 2]) {
      const client = await RawClient.connect(running.url, `?v=${v}`);
      expect((await client.next('welcome')).v).toBe(v);
    }
  });

  it('gives a raw client that sends no version version 1, which it was always given', async () => {
    running = await startHub();
    const client = await RawClient.connect(running.url);
    expect((await client.next('welcome')).v).toBe(1);
  });

  it('refuses when authenticate returns null (4001), and stamps the user it returns', async () => {
    running = await startHub({
      authenticate: async (request) => (tokenOf(request) === 'secret' ? { id: 'u1', name: 'Ada' } : null),
    });
    const stranger = await RawClient.connect(running.url, '?token=guess');
    expect(await stranger.closed()).toBe(4001);
    expect(running.hub.stats().connections).toBe(0);

    const ada = await RawClient.connect(running.url, '?token=secret');
    expect((await ada.next('welcome')).user).toEqual({ id: 'u1', name: 'Ada' });
    ada.send({ type: 'presence.track', room: 'lobby', state: 1 });
    const watcher = await RawClient.connect(running.url, '?token=secret');
    await watcher.next('welcome');
    await new Promise((r) => setTimeout(r, 60));
    watcher.send({ type: 'presence.join', room: 'lobby' });
    expect((await watcher.next('presence.snapshot')).members[0]?.user).toEqual({ id: 'u1', name: 'Ada' });
  });

  it('closes with 1011 when authenticate throws, and reports the fault', async () => {
    running = await startHub({ authenticate: () => { throw new Error('db down'); } });
    const client = await RawClient.connect(running.url);
    expect(await client.closed()).toBe(1011);
  });

  it('emits connection with the request and the user, and disconnect with code and reason', async () => {
    running = await startHub({ graceMs: 0, authenticate: () => ({ id: 'u7' }) });
    const seen: string[] = [];
    const offConnection = running.hub.on('connection', ({ id, user, request }) => seen.push(`connect ${id} ${user?.id} ${request.url}`));
    running.hub.on('disconnect', ({ id, user, code, reason }) => seen.push(`disconnect ${id} ${user?.id} ${code} ${reason}`));
    const client = await RawClient.connect(running.url, '?x=1');
    const { id } = await client.next('welcome');
    client.close(1000);
    await client.closed();
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([`connect ${id} u7 /ghost?x=1`, `disconnect ${id} u7 1000 left`]);

    offConnection();
    const second = await RawClient.connect(running.url);
    await second.next('welcome');
    expect(seen.filter((s) => s.startsWith('connect'))).toHaveLength(1);
  });
});

describe('query parameters', () => {
  it('reads the first of a repeated v (docs/protocol.md §2.1)', async () => {
    running = await startHub();
    const accepted = await RawClient.connect(running.url, '?v=1&v=3');
    expect((await accepted.next('welcome')).v).toBe(1);
    const refused = await RawClient.connect(running.url, '?v=3&v=1');
    expect(await refused.closed()).toBe(4006);
    expect(refused.closeReason).toContain('protocol version 3 is not supported');
  });

  it('ignores an invalid client id rather than refusing: the connection works, without resend deduplication', async () => {
    running = await startHub({ recovery: { topics: ['orders'] } });
    const reader = await RawClient.connect(running.url, '?v=1');
    await reader.next('welcome');
    reader.send({ type: 'topic.subscribe', topic: 'orders', ref: 1 });
    await reader.next('ack');
    // The same request (client id and ref) from two sessions: delivered once with a valid id, twice
    // with one the hub ignored.
    for (const client of ['valid-client-id', 'bad!']) {
      for (let session = 0; session < 2; session++) {
        const publisher = await RawClient.connect(running.url, `?v=1&client=${encodeURIComponent(client)}`);
        await publisher.next('welcome');
        publisher.send({ type: 'topic.publish', topic: 'orders', data: client, ref: 7 });
        await publisher.next('ack');
        publisher.close(1000);
      }
    }
    reader.send({ type: 'topic.publish', topic: 'orders', data: 'end', ref: 2 });
    await reader.next('ack');
    const delivered = reader.ofType('topic.message').map((m) => m.data);
    expect(delivered).toEqual(['valid-client-id', 'bad!', 'bad!', 'end']);
  });
});

describe('the colour a user brings', () => {
  it('is used for its connections, and ignored when it is not a plain CSS colour', async () => {
    const running = await startHub({ authenticate: (request) => ({ id: 'u', color: new URL(request.url!, 'http://x').searchParams.get('c')! }) });
    const plain = await RawClient.connect(running.url, `?c=${encodeURIComponent('#e11d48')}`);
    expect((await plain.next('welcome')).color).toBe('#e11d48');
    const sneaky = await RawClient.connect(running.url, `?c=${encodeURIComponent('red","id":"admin')}`);
    expect((await sneaky.next('welcome')).color).toMatch(/^hsl\(/);
  });
});
