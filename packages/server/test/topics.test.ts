import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSchema } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

const connect = RawClient.welcomed;

describe('topics', () => {
  it('delivers a publish to every subscriber, the publisher included, stamped with who and when', async () => {
    running = await startHub();
    const a = await connect(running.url);
    const b = await connect(running.url);
    a.client.send({ type: 'topic.subscribe', topic: 'world', ref: 1 });
    b.client.send({ type: 'topic.subscribe', topic: 'world', ref: 1 });
    await a.client.next('ack');
    await b.client.next('ack');

    const before = Date.now();
    a.client.send({ type: 'topic.publish', topic: 'world', data: { text: 'Hello world!' }, ref: 2 });
    expect(await a.client.next('ack')).toEqual({ type: 'ack', ref: 2 });
    for (const { client } of [a, b]) {
      const message = await client.next('topic.message');
      expect(message).toMatchObject({ topic: 'world', data: { text: 'Hello world!' }, from: a.id });
      expect(message.ts).toBeGreaterThanOrEqual(before);
    }
    expect(running.hub.stats().topics).toBe(1);
  });

  it('lets a client publish without subscribing, and stops delivering after unsubscribe', async () => {
    running = await startHub();
    const sub = await connect(running.url);
    const pub = await connect(running.url);
    sub.client.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    await sub.client.next('ack');
    pub.client.send({ type: 'topic.publish', topic: 'news', data: 1, ref: 1 });
    expect((await sub.client.next('topic.message')).data).toBe(1);

    sub.client.send({ type: 'topic.unsubscribe', topic: 'news', ref: 2 });
    await sub.client.next('ack');
    pub.client.send({ type: 'topic.publish', topic: 'news', data: 2, ref: 2 });
    await waitFor(() => pub.client.ofType('ack').some((a) => a.ref === 2), 3000, 'the ack of 2');
    expect(running.hub.stats().topics).toBe(0);
    // Subscribed again, the next message comes on the same socket: had 2 been delivered, it came first.
    sub.client.send({ type: 'topic.subscribe', topic: 'news', ref: 3 });
    await sub.client.next('ack');
    pub.client.send({ type: 'topic.publish', topic: 'news', data: 3, ref: 3 });
    await waitFor(() => pub.client.ofType('ack').some((a) => a.ref === 3), 3000, 'the ack of 3');
    await sub.client.next('topic.message');
    expect(sub.client.ofType('topic.message').map((m) => m.data)).toEqual([1, 3]);
    expect(pub.client.ofType('topic.message')).toEqual([]);
  });

  it('hub.publish reaches subscribers from the server, with from: null', async () => {
    running = await startHub();
    const sub = await connect(running.url);
    sub.client.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    await sub.client.next('ack');
    await running.hub.publish('news', { headline: 'Ghost 1.0' });
    expect(await sub.client.next('topic.message')).toMatchObject({ data: { headline: 'Ghost 1.0' }, from: null });
  });

  it('delivers messages intact on both sides of every WebSocket frame-length boundary, multi-byte text included', async () => {
    running = await startHub();
    const sub = await connect(running.url);
    sub.client.send({ type: 'topic.subscribe', topic: 'sizes', ref: 1 });
    await sub.client.next('ack');
    // The envelope around `data`, in bytes, measured rather than assumed (its seq and ts vary by a digit or two).
    await running.hub.publish('sizes', '');
    await sub.client.next('topic.message');
    const envelope = Buffer.byteLength(sub.client.texts.at(-1)!) - 2;
    const sent: string[] = [];
    // 125/126 and 65535/65536 are where a frame's length field grows from 7 to 16 to 64 bits.
    for (const boundary of [125, 126, 65_535, 65_536]) {
      for (let off = -4; off <= 4; off++) {
        const data = `😀${'a'.repeat(boundary + off - envelope - 2 - 4)}`;
        sent.push(data);
        await running.hub.publish('sizes', data);
        // One at a time: a burst of 64 KiB frames would count as a slow reader's backlog.
        await waitFor(() => sub.client.ofType('topic.message').length === sent.length + 1, 5000, `message of ${data.length} characters`);
      }
    }
    expect(sub.client.invalid).toEqual([]);
    expect(sub.client.ofType('topic.message').slice(1).map((m) => m.data)).toEqual(sent);
    const lengths = sub.client.texts.map((text) => Buffer.byteLength(text));
    expect(lengths).toEqual(expect.arrayContaining([125, 126, 65_535, 65_536]));
  });

  it('hub.publish refuses a topic name no client could subscribe to', async () => {
    running = await startHub();
    await expect(running.hub.publish('two words', 1)).rejects.toMatchObject({ code: 'INVALID_NAME' });
    await expect(running.hub.publish('', 1)).rejects.toMatchObject({ code: 'INVALID_NAME' });
  });

  it('keeps the order of one publisher', async () => {
    running = await startHub();
    const sub = await connect(running.url);
    const pub = await connect(running.url);
    sub.client.send({ type: 'topic.subscribe', topic: 'seq', ref: 1 });
    await sub.client.next('ack');
    for (let i = 0; i < 100; i++) pub.client.send({ type: 'topic.publish', topic: 'seq', data: i });
    pub.client.send({ type: 'topic.publish', topic: 'seq', data: 'end' });
    await waitFor(() => sub.client.ofType('topic.message').some((m) => m.data === 'end'), 5000, 'the last message');
    expect(sub.client.ofType('topic.message').map((m) => m.data)).toEqual([...Array(100).keys(), 'end']);
  });

  it('validates data against the schema of a typed hub, naming the path', async () => {
    const schema = defineSchema({ topics: { 'build:status': z.object({ ok: z.boolean(), sha: z.string() }) } });
    running = await startHub({ schema });
    const { client } = await connect(running.url);
    client.send({ type: 'topic.publish', topic: 'build:status', data: { ok: 'yes', sha: 'abc' }, ref: 1 });
    const error = await client.next('error');
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD', ref: 1 });
    expect(error.message).toContain('ok');
    await expect(running.hub.publish('build:status', { ok: true, sha: 5 } as never)).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
  });

  it('refuses undeclared topics on a strict schema with FORBIDDEN', async () => {
    const schema = defineSchema({ strict: true, topics: { news: z.string() } });
    running = await startHub({ schema });
    const { client } = await connect(running.url);
    client.send({ type: 'topic.subscribe', topic: 'gossip', ref: 1 });
    expect(await client.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 1 });
    client.send({ type: 'topic.subscribe', topic: 'news', ref: 2 });
    expect(await client.next('ack')).toMatchObject({ ref: 2 });
  });

  it('caps the topics one connection may hold', async () => {
    running = await startHub({ limits: { maxTopics: 2 } });
    const { client } = await connect(running.url);
    for (const [ref, topic] of ['a', 'b', 'c'].entries()) client.send({ type: 'topic.subscribe', topic, ref });
    expect(await client.next('error')).toMatchObject({ code: 'FORBIDDEN', ref: 2 });
  });

  it('answers a request repeated with the same ref again without delivering it twice', async () => {
    running = await startHub();
    const { client } = await connect(running.url);
    client.send({ type: 'topic.subscribe', topic: 'once', ref: 1 });
    await client.next('ack');
    client.send({ type: 'topic.publish', topic: 'once', data: 'x', ref: 2 });
    client.send({ type: 'topic.publish', topic: 'once', data: 'x', ref: 2 });
    await client.next('ack');
    await client.next('ack');
    expect(client.ofType('ack').map((a) => a.ref)).toEqual([1, 2, 2]);
    // A later publish comes after any second delivery of the first.
    client.send({ type: 'topic.publish', topic: 'once', data: 'y', ref: 3 });
    await waitFor(() => client.ofType('topic.message').some((m) => m.data === 'y'), 3000, 'the later message');
    expect(client.ofType('topic.message').map((m) => m.data)).toEqual(['x', 'y']);
  });
});
