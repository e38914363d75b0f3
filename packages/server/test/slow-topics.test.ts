// A subscriber that stops reading must not hold up a topic, and gets what the topic's policy promises.
import { describe, expect, it } from 'vitest';
import type { HubOptions } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

type Tcp = { _socket: { pause(): void; resume(): void } };
const BIG = 'x'.repeat(16 * 1024);

async function subscriber(running: RunningHub, topic: string): Promise<RawClient> {
  const { client } = await RawClient.welcomed(running.url);
  client.send({ type: 'topic.subscribe', topic, ref: 1 });
  await client.next('ack');
  return client;
}

/** Numbers received on a topic, in arrival order. */
const numbers = (client: RawClient) => client.ofType('topic.message').map((m) => (m.data as { n: number }).n);

/**
 * The healthy reader reads what was published so far (and so answers the hub's pings), as a reader that
 * keeps up does between bursts; the hub counts a reader by what it proved it read.
 */
const keptUp = (healthy: RawClient, n: number) => waitFor(() => numbers(healthy).length === n, 5000, `the healthy subscriber to read ${n}`);

/**
 * One healthy and one stalled subscriber; publishes numbered 16 KB messages until the hub counts the
 * stalled one slow, then `extra` more. Returns the last number published.
 */
async function stallOne(options: HubOptions, topic: string, extra: number) {
  const running = await startHub({ ...options, limits: { slowBufferedBytes: 64 * 1024, ...options.limits } });
  const healthy = await subscriber(running, topic);
  const stalled = await subscriber(running, topic);
  (stalled.socket as unknown as Tcp)._socket.pause();
  let n = 0;
  let slowSeen = false;
  while (n < 3000 && !slowSeen) {
    await running.hub.publish(topic, { n: ++n, big: BIG });
    slowSeen = running.hub.stats().slow > 0;
    if (n % 8 === 0) await keptUp(healthy, n);
  }
  expect(slowSeen).toBe(true);
  for (let i = 0; i < extra; i++) {
    await running.hub.publish(topic, { n: ++n, big: BIG });
    if (n % 8 === 0) await keptUp(healthy, n);
  }
  await waitFor(() => numbers(healthy).length === n, 10_000, `the healthy subscriber to get all ${n}`);
  expect(numbers(healthy)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  return { running, healthy, stalled, last: n, resume: () => (stalled.socket as unknown as Tcp)._socket.resume() };
}

describe('a slow subscriber on a topic', () => {
  it('on a recoverable topic (drop-oldest by default) misses nothing: the overflow is replayed from history once it reads again', async () => {
    const { stalled, last, resume, running } = await stallOne({ recovery: { topics: true, historySize: 5000 }, slowTopics: { maxQueued: 16 } }, 'feed', 200);
    resume();
    await waitFor(() => numbers(stalled).at(-1) === last, 15_000, 'the stalled subscriber to catch up');
    // One more, live: anything replayed twice or late would arrive before it.
    await running.hub.publish('feed', { n: last + 1 });
    await waitFor(() => numbers(stalled).at(-1) === last + 1, 5000, 'the next live message');
    expect(numbers(stalled)).toEqual(Array.from({ length: last + 1 }, (_, i) => i + 1));
    const seqs = stalled.ofType('topic.message').map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a! - b!));
    expect(stalled.closeCode).toBeUndefined();
    expect(stalled.ofType('topic.reset')).toEqual([]);
    await waitFor(() => running.hub.stats().slow === 0);
  });

  it('tells a reader that fell behind further than the history reaches with topic.reset, then carries on live', async () => {
    const { stalled, last, resume } = await stallOne({ recovery: { topics: true, historySize: 50 }, slowTopics: { maxQueued: 16 } }, 'feed', 200);
    resume();
    await waitFor(() => stalled.ofType('topic.reset').length === 1, 15_000, 'a topic.reset');
    await waitFor(() => numbers(stalled).at(-1) === last, 15_000, 'the newest message');
    const got = numbers(stalled);
    expect(got).toEqual([...new Set(got)].sort((a, b) => a - b)); // in order, no duplicates
    expect(got.length).toBeLessThan(last);
    expect(stalled.closeCode).toBeUndefined();
  });

  it("with policy 'disconnect' is closed (1008) once its queue is full, while the others get everything", async () => {
    const { stalled } = await stallOne({ slowTopics: { policy: 'disconnect', maxQueued: 16 } }, 'ticks', 40);
    (stalled.socket as unknown as Tcp)._socket.resume();
    expect(await stalled.closed(10_000)).toBe(1008);
    expect(stalled.closeReason).toMatch(/too slow/);
  });

  it("with policy 'drop-oldest' on a plain topic keeps the newest messages for it, in order, and stays connected", async () => {
    const { stalled, last, resume } = await stallOne({ slowTopics: { policy: () => 'drop-oldest', maxQueued: 16 } }, 'ticks', 100);
    resume();
    await waitFor(() => numbers(stalled).at(-1) === last, 15_000, 'the newest message');
    const got = numbers(stalled);
    expect(got).toEqual([...new Set(got)].sort((a, b) => a - b));
    expect(got.slice(-16)).toEqual(Array.from({ length: 16 }, (_, i) => last - 15 + i));
    expect(got.length).toBeLessThan(last);
    expect(stalled.closeCode).toBeUndefined();
  });

  it('refuses a policy it does not know, saying which ones exist', async () => {
    await expect(startHub({ slowTopics: { policy: 'block' as never } })).rejects.toThrow(/'drop-oldest', 'disconnect'/);
  });
});
