// Recoverable topics: a client that comes back, to the same hub or another one, gets exactly what it
// missed, once and in order; or a reset when the gap is older than the history.
import { describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter, type HubOptions } from '@ghost/server';
import { FAST_BACKOFF, openClient } from '../../../test/helpers/clients.js';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

describe('recoverable topics', () => {
  it('a client that reconnects to another hub gets what it missed, once and in order', async () => {
    const bus = createMemoryBus(); // the store outlives either hub, as Redis would
    const options: HubOptions = { adapter: memoryAdapter({ bus }), recovery: { topics: ['stream'] } };
    let hub = await startHub(options);
    const port = hub.port;
    const reader = openClient(hub.url, FAST_BACKOFF);
    const got: number[] = [];
    reader.topic('stream').subscribe((n) => got.push(n as number));
    await waitFor(() => hub.hub.stats().topics === 1);
    for (let n = 1; n <= 3; n++) await hub.hub.publish('stream', n);
    await waitFor(() => got.length === 3);

    await hub.close();
    const other = await startHub({ ...options, adapter: memoryAdapter({ bus }) });
    for (let n = 4; n <= 6; n++) await other.hub.publish('stream', n); // nobody is subscribed here yet
    hub = await startHub({ ...options, adapter: memoryAdapter({ bus }) }, port);
    await waitFor(() => got.length === 6, 5000, 'the missed messages');
    await hub.hub.publish('stream', 7);
    await hub.hub.publish('stream', 8); // the next message: a repeat would come before it
    await waitFor(() => got.includes(8));
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('says reset when what was missed is older than the history, then goes on', async () => {
    const bus = createMemoryBus();
    const options: HubOptions = { adapter: memoryAdapter({ bus }), recovery: { topics: true, historySize: 2 } };
    const hub = await startHub(options);
    const port = hub.port;
    const reader = openClient(hub.url, FAST_BACKOFF);
    const got: number[] = [];
    let resets = 0;
    reader.topic('t').subscribe((n) => got.push(n as number));
    reader.topic('t').on('reset', () => resets++);
    await waitFor(() => hub.hub.stats().topics === 1);
    await hub.hub.publish('t', 1);
    await waitFor(() => got.length === 1);
    await hub.close();
    const other = await startHub({ ...options, adapter: memoryAdapter({ bus }) });
    for (let n = 2; n <= 6; n++) await other.hub.publish('t', n);
    const back = await startHub({ ...options, adapter: memoryAdapter({ bus }) }, port);
    await waitFor(() => resets === 1, 5000, 'the reset');
    await waitFor(() => got.length === 3);
    expect(got).toEqual([1, 5, 6]); // 2–4 were gone: the reset said so
    await back.hub.publish('t', 7);
    await waitFor(() => got.length === 4);
    expect(got.at(-1)).toBe(7);
  });

  it('after the store lost its history (a hub on the memory adapter restarted), a returning client gets reset, never the new history as if it were the old', async () => {
    const options: HubOptions = { recovery: { topics: true } };
    let hub = await startHub(options);
    const port = hub.port;
    const reader = await RawClient.welcomed(hub.url);
    reader.client.send({ type: 'topic.subscribe', topic: 'prices', ref: 1 });
    await reader.client.next('ack');
    for (let n = 1; n <= 3; n++) await hub.hub.publish('prices', `old ${n}`);
    await waitFor(() => reader.client.ofType('topic.message').length === 3);
    const since = reader.client.ofType('topic.message').at(-1)!.seq!;

    await hub.close();
    hub = await startHub(options, port); // a new process: a new, empty store
    for (let n = 1; n <= 10; n++) await hub.hub.publish('prices', `new ${n}`);
    const back = await RawClient.welcomed(hub.url);
    back.client.send({ type: 'topic.subscribe', topic: 'prices', since, ref: 1 });
    await back.client.next('ack');
    await back.client.next('topic.reset');
    await waitFor(() => back.client.ofType('topic.message').length === 10, 3000, 'the new history');
    expect(back.client.ofType('topic.message').map((m) => m.data)).toEqual(Array.from({ length: 10 }, (_, i) => `new ${i + 1}`));
    expect(back.client.messages.findIndex((m) => m.type === 'topic.reset')).toBeLessThan(back.client.messages.findIndex((m) => m.type === 'topic.message'));
  });

  it('a publish resent by the same client after a reconnect is delivered once', async () => {
    const bus = createMemoryBus();
    const options: HubOptions = { adapter: memoryAdapter({ bus }), recovery: { topics: true } };
    const [a, b] = [await startHub(options), await startHub({ ...options, adapter: memoryAdapter({ bus }) })];
    const reader = await RawClient.connect(a.url);
    await reader.next('welcome');
    reader.send({ type: 'topic.subscribe', topic: 'orders', ref: 1 });
    await reader.next('ack');
    // The same client instance, first on hub a, then (its ack lost) again on hub b with the same ref.
    let sender: RawClient | undefined;
    for (const hub of [a, b]) {
      sender = await RawClient.connect(hub.url, '?client=client-1234');
      await sender.next('welcome');
      sender.send({ type: 'topic.publish', topic: 'orders', data: 'buy 1', ref: 9 });
      expect(await sender.next('ack')).toMatchObject({ ref: 9 });
    }
    // Its next publish, on the path the resend took: a second copy would have been stored and
    // delivered before it.
    sender!.send({ type: 'topic.publish', topic: 'orders', data: 'buy 2', ref: 10 });
    expect(await sender!.next('ack')).toMatchObject({ ref: 10 });
    await waitFor(() => reader.ofType('topic.message').length >= 2);
    const [first] = reader.ofType('topic.message');
    expect(reader.ofType('topic.message').map((m) => [m.data, m.seq])).toEqual([['buy 1', expect.any(Number)], ['buy 2', first!.seq! + 1]]);
  });
});
