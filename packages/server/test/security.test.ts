import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type GhostError } from '@ghost/client';
import type { AuthorizeAction, AuthorizeTarget } from '@ghost/server';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

async function withOrigin(url: string, origin: string | undefined) {
  const socket = new WebSocket(url, origin === undefined ? {} : { origin });
  const result = await new Promise<{ code?: number; welcomed: boolean }>((resolve) => {
    socket.once('message', () => resolve({ welcomed: true }));
    socket.once('close', (code) => resolve({ code, welcomed: false }));
  });
  socket.terminate();
  return result;
}

/** An answer the test gives when it chooses: what a slow policy service looks like from the hub. */
function gate() {
  let answer!: () => void;
  const answered = new Promise<void>((resolve) => (answer = resolve));
  return { answered, answer };
}

/**
 * Sends a request that needs no answer of authorize and waits for its ack: by then the hub has taken in
 * every frame sent before it.
 */
async function taken(client: RawClient, ref: number) {
  client.send({ type: 'topic.unsubscribe', topic: 'nothing', ref });
  await waitFor(() => client.ofType('ack').some((a) => a.ref === ref), 3000, `ack ${ref}`);
}

describe('origin allow-list', () => {
  it('refuses a browser from another site with 4003, lets listed origins and non-browsers in', async () => {
    const { url } = await startHub({ origins: ['https://app.example'] });
    expect(await withOrigin(url, 'https://evil.example')).toEqual({ code: 4003, welcomed: false });
    expect(await withOrigin(url, 'https://app.example')).toEqual({ welcomed: true });
    expect(await withOrigin(url, undefined)).toEqual({ welcomed: true });
  });

  it('a refused client stops retrying and reports FORBIDDEN', async () => {
    const { url } = await startHub({ origins: (origin) => origin.endsWith('.app.example') });
    class FromElsewhere extends WebSocket {
      constructor(address: string) {
        super(address, { origin: 'https://evil.example' });
      }
    }
    const client = createClient(url, { WebSocket: FromElsewhere });
    closeAfterTest(() => client.close());
    const errors: GhostError[] = [];
    client.on('error', (e) => errors.push(e));
    await waitFor(() => client.status === 'closed');
    expect(errors.map((e) => e.code)).toEqual(['FORBIDDEN']);
  });

  it('rejects a malformed list with a TypeError that says the fix', async () => {
    await expect(startHub({ origins: ['https://app.example/'] })).rejects.toThrow(/no trailing slash/);
  });
});

describe('authorize', () => {
  async function setup(rule: (target: AuthorizeTarget, action: AuthorizeAction, user?: string) => boolean | Promise<boolean>) {
    const asked: string[] = [];
    const running = await startHub({
      tickMs: 5,
      authenticate: (request) => ({ id: new URL(request.url!, 'http://x').searchParams.get('user') ?? 'anon' }),
      authorize: (user, target, action) => {
        asked.push(`${user?.id} ${action} ${target.kind}:${target.name}`);
        return rule(target, action, user?.id);
      },
    });
    const connect = async (user: string) => {
      const client = await RawClient.connect(running.url, `?user=${user}`);
      await client.next('welcome');
      return client;
    };
    return { running, asked, connect };
  }

  it('denies with FORBIDDEN per target and action, and lets the rest through', async () => {
    const { connect, running } = await setup((target, action) => !(target.name === 'admin' && action === 'subscribe') && !(target.name === 'news' && action === 'publish'));
    const c = await connect('ada');
    c.send({ type: 'topic.subscribe', topic: 'admin', ref: 1 });
    expect(await c.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 1 });
    c.send({ type: 'topic.subscribe', topic: 'news', ref: 2 });
    expect(await c.next('ack')).toMatchObject({ ref: 2 });
    c.send({ type: 'topic.publish', topic: 'news', data: 'fake news', ref: 3 });
    expect(await c.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 3 });
    // The server's own publish follows on the same topic and socket: had the refused one gone out, it came first.
    await running.hub.publish('news', 'real news');
    await c.next('topic.message');
    expect(c.ofType('topic.message').map((m) => m.data)).toEqual(['real news']);
  });

  it('keeps a user out of a presence room and a chat room they may not use', async () => {
    const { connect, running } = await setup((target, _action, user) => target.name !== 'vip' || user === 'boss');
    const guest = await connect('guest');
    guest.send({ type: 'presence.track', room: 'vip', state: 1, ref: 1 });
    expect(await guest.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 1 });
    guest.send({ type: 'chat.join', room: 'vip', ref: 2 });
    expect(await guest.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
    expect(running.hub.stats()).toMatchObject({ members: 0, chatRooms: 0 });
    const boss = await connect('boss');
    boss.send({ type: 'presence.track', room: 'vip', state: 1, ref: 1 });
    expect(await boss.next('ack')).toMatchObject({ ref: 1 });
  });

  it('asks an async authorize once per connection, target and action, however often the client tracks', async () => {
    const policy = gate();
    const { connect, asked, running } = await setup(async () => {
      await policy.answered;
      return true;
    });
    const c = await connect('ada');
    for (let i = 0; i < 30; i++) c.send({ type: 'presence.track', room: 'lobby', state: { i } });
    await taken(c, 1);
    // Every track arrived while the first answer was pending.
    expect(asked).toEqual(['ada watch presence:lobby']);
    policy.answer();
    await waitFor(() => running.hub.stats().members === 1);
    const watcher = await connect('bob');
    watcher.send({ type: 'presence.join', room: 'lobby' });
    // Shown in the snapshot, or in the diff right after it when the hub had not announced ada yet.
    const snapshot = await watcher.next('presence.snapshot');
    const shown = snapshot.members[0] ?? (await watcher.next('presence.diff')).joins?.[0];
    expect(shown?.state).toEqual({ i: 29 });
    // The newest state shows, so every track was handled: ada's two answers were all that was asked.
    expect(asked).toEqual(['ada watch presence:lobby', 'ada track presence:lobby', 'bob watch presence:lobby']);
  });

  it('denies when authorize throws, and reports the fault', async () => {
    const { connect, running } = await setup(() => {
      throw new Error('policy service down');
    });
    const errors: Error[] = [];
    running.hub.on('error', (e) => errors.push(e));
    const c = await connect('ada');
    c.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    expect(await c.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 1 });
    expect(errors.map((e) => e.message)).toEqual(['policy service down']);
  });
});

describe('authorize, ordering and implied actions', () => {
  it('an untrack right after a track waits for the pending answer instead of overtaking it', async () => {
    const policy = gate();
    const running = await startHub({ tickMs: 5, authorize: async () => (await policy.answered, true) });
    const c = await RawClient.connect(running.url);
    await c.next('welcome');
    c.send({ type: 'presence.track', room: 'lobby', state: 1 });
    c.send({ type: 'presence.untrack', room: 'lobby', ref: 1 });
    await taken(c, 2);
    // An untrack that overtook the track would have been acked before the later request.
    expect(c.ofType('ack').map((a) => a.ref)).toEqual([2]);
    policy.answer();
    await waitFor(() => c.ofType('ack').length === 2, 3000, 'the untrack ack');
    expect(c.ofType('ack').map((a) => a.ref)).toEqual([2, 1]);
    expect(running.hub.stats().members).toBe(0);
  });

  it('tracking needs watch too, and identifying needs join too', async () => {
    const running = await startHub({ authorize: (_user, _target, action) => action !== 'watch' && action !== 'join' });
    const c = await RawClient.connect(running.url);
    await c.next('welcome');
    c.send({ type: 'presence.track', room: 'lobby', state: 1, ref: 1 });
    expect(await c.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 1 });
    c.send({ type: 'chat.identify', room: 'lobby', name: 'ada', ref: 2 });
    expect(await c.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
    expect(c.ofType('presence.snapshot')).toEqual([]);
    expect(c.ofType('chat.history')).toEqual([]);
  });

  it('a track is one decision of both answers: the refusal names the action denied, and each is asked once', async () => {
    const asked: AuthorizeAction[] = [];
    const refusal = async (denied: AuthorizeAction) => {
      const running = await startHub({ authorize: (_user, _target, action) => (asked.push(action), action !== denied) });
      const c = await RawClient.connect(running.url);
      await c.next('welcome');
      c.send({ type: 'presence.track', room: 'lobby', state: 1, ref: 1 });
      const error = await c.next('error');
      c.send({ type: 'presence.track', room: 'lobby', state: 2, ref: 2 });
      expect(await c.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
      expect(running.hub.stats().members).toBe(0);
      return error;
    };
    expect(await refusal('track')).toEqual({ type: 'error', code: 'FORBIDDEN', ref: 1, message: 'Not allowed to track presence "lobby"' });
    expect(asked.splice(0)).toEqual(['watch', 'track']);
    expect(await refusal('watch')).toEqual({ type: 'error', code: 'FORBIDDEN', ref: 1, message: 'Not allowed to watch presence "lobby"' });
    expect(asked).toEqual(['watch']);
  });
});

describe('limits per kind and per address', () => {
  it('cursor moves have their own budget: a flood of them never starves other messages', async () => {
    const running = await startHub({ limits: { presencePerSecond: 5, presenceBurst: 5, messagesPerSecond: 5, burst: 5 } });
    const c = await RawClient.connect(running.url);
    await c.next('welcome');
    for (let i = 0; i < 20; i++) c.send({ type: 'presence.track', room: 'lobby', state: { i } });
    c.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    expect(await c.next('ack')).toMatchObject({ ref: 1 });
    expect((await c.next('error')).code).toBe('RATE_LIMITED');
    expect(c.closeCode).toBeUndefined();
  });

  it('refuses connections past maxConnectionsPerAddress with 4203 (come back later), and counts them down', async () => {
    const running = await startHub({ limits: { maxConnectionsPerAddress: 2 } });
    const first = await RawClient.connect(running.url);
    await first.next('welcome');
    const second = await RawClient.connect(running.url);
    await second.next('welcome');
    const third = await RawClient.connect(running.url);
    expect(await third.closed()).toBe(4203);
    // Counted down when the session ends (the socket's close), not when the close frame arrives.
    const ended = new Promise((resolve) => running.hub.on('disconnect', resolve));
    first.close(1000);
    await first.closed();
    await ended;
    const fourth = await RawClient.connect(running.url);
    expect((await fourth.next('welcome')).type).toBe('welcome');
  });

  it('believes X-Forwarded-For only as far as trustProxy says', async () => {
    const addresses: string[] = [];
    const forwarded = { headers: { 'x-forwarded-for': '6.6.6.6, 1.2.3.4, 5.6.7.8' } };
    for (const trustProxy of [false, true, 2] as const) {
      const running = await startHub({ trustProxy });
      running.hub.on('connection', ({ address }) => addresses.push(address));
      const socket = new WebSocket(running.url, forwarded);
      await new Promise((resolve) => socket.once('message', resolve));
      socket.terminate();
    }
    expect(addresses).toEqual(['127.0.0.1', '5.6.7.8', '1.2.3.4']);
  });
});

describe('refusals cost the sender more than acceptances', () => {
  it('a refused frame takes several tokens, so bad input runs out of budget first', async () => {
    const running = await startHub({ limits: { messagesPerSecond: 1, burst: 10 } });
    const c = await RawClient.connect(running.url);
    await c.next('welcome');
    c.send('{"type":"topic.publish","topic":"news","ref":1}');
    c.send('{"type":"topic.publish","topic":"news","ref":2}');
    c.send({ type: 'topic.subscribe', topic: 'news', ref: 3 });
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_PAYLOAD', ref: 1 });
    expect(await c.next('error')).toMatchObject({ code: 'INVALID_PAYLOAD', ref: 2 });
    expect(await c.next('error')).toMatchObject({ code: 'RATE_LIMITED', ref: 3 });
  });
});

describe('no one speaks for someone else', () => {
  it('ignores a from, an id or a user a client slips into its messages: the hub stamps them', async () => {
    const running = await startHub({ tickMs: 5, authenticate: (request) => ({ id: new URL(request.url!, 'http://x').searchParams.get('u')! }) });
    const [victim, liar] = [await RawClient.connect(running.url, '?u=victim'), await RawClient.connect(running.url, '?u=liar')];
    const victimId = (await victim.next('welcome')).id;
    const liarId = (await liar.next('welcome')).id;
    victim.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    victim.send({ type: 'presence.join', room: 'lobby', ref: 2 });
    await victim.next('ack');
    await victim.next('ack');
    liar.send({ type: 'topic.publish', topic: 'news', data: 'x', from: victimId, ts: 0, ref: 1 });
    expect(await victim.next('topic.message')).toMatchObject({ from: liarId });
    liar.send({ type: 'presence.track', room: 'lobby', state: 1, id: victimId, user: { id: 'victim' } });
    expect((await victim.next('presence.diff')).joins).toEqual([expect.objectContaining({ id: liarId, user: { id: 'liar' } })]);
    liar.send({ type: 'chat.identify', room: 'c', name: 'liar', ref: 2 });
    liar.send({ type: 'chat.send', room: 'c', text: 'hi', userId: 'victim', user: 'victim', ref: 3 });
    await waitFor(() => liar.ofType('ack').some((a) => a.ref === 3));
    expect(liar.ofType('ack').find((a) => a.ref === 3)?.result).toMatchObject({ user: 'liar', userId: 'liar' });
  });

  it('caps the presence rooms one connection may be in', async () => {
    const running = await startHub({ limits: { maxRooms: 2 } });
    const c = await RawClient.connect(running.url);
    await c.next('welcome');
    for (const [ref, room] of ['a', 'b', 'c'].entries()) c.send({ type: 'presence.join', room, ref });
    expect(await c.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
  });
});
