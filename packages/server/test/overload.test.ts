// Many chat readers that never read, a busy room, and people on the same hub who did nothing wrong:
// the hub keeps what waits for the slow readers under its budget by closing the biggest of them, and
// nobody else notices. The heavy version (1,000 and 5,000 readers) is `npm run soak`.
import { describe, expect, it } from 'vitest';
import { retryAfterOf } from '@ghost/protocol';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { sleep, waitFor } from '../../../test/helpers/wait.js';

const BUDGET = 2 * 1024 * 1024;
const READERS = 24;
const SENDERS = 4;
const SEND_MS = 3000;
// The hub writes no further ahead of a reader than it proved it read (whatever the kernel's socket
// buffers would take), so messages of the soak's size fill the budget within a second.
const TEXT = 'x'.repeat(2000);

type Paused = { _socket: { pause(): void; resume(): void } };

async function chatter(url: string, room: string, name: string): Promise<RawClient> {
  const client = await RawClient.connect(url);
  await client.next('welcome');
  client.send({ type: 'chat.identify', room, name, ref: 1 });
  await client.next('ack', 5000);
  return client;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

describe('a room full of readers that never read', () => {
  it('stays within the hub send budget by shedding the biggest slow readers; senders within their limits and a bystander never notice', async () => {
    const running = await startHub({ chat: { maxTextLength: TEXT.length }, limits: { maxHubBufferedBytes: BUDGET, slowBufferedBytes: 16 * 1024 } });
    const { hub, url } = running;
    // A shed reader's session ends at once (1008): the hub says so right away.
    const shed: string[] = [];
    hub.on('disconnect', (event) => void (event.code === 1008 && shed.push(event.id)));

    const readers: RawClient[] = [];
    for (let i = 0; i < READERS; i++) {
      const reader = await RawClient.connect(url);
      await reader.next('welcome');
      reader.send({ type: 'chat.join', room: 'flood', ref: 1 });
      await reader.next('ack');
      (reader.socket as unknown as Paused)._socket.pause();
      readers.push(reader);
    }
    const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => chatter(url, 'flood', `sender-${i}`)));
    const bystander = await RawClient.connect(url);
    await bystander.next('welcome');
    bystander.send({ type: 'topic.subscribe', topic: 'mine', ref: 1 });
    await bystander.next('ack');

    // The hub's own count of what waits to be sent, sampled while the room is busy.
    let peakBuffered = 0;
    const sampler = setInterval(() => void (peakBuffered = Math.max(peakBuffered, hub.stats().bufferedBytes)), 5);
    // Once readers were shed, they all read again: the shed ones find their close frame behind what
    // they had not read, the others catch up.
    const resumed = waitFor(() => shed.length > 0, SEND_MS + 5000, 'a slow reader to be shed').then(() => {
      for (const reader of readers) (reader.socket as unknown as Paused)._socket.resume();
    });

    // Each sender at ~25 messages a second, well under the default 120/s.
    const until = Date.now() + SEND_MS;
    const sending = senders.map(async (sender) => {
      for (let ref = 2; Date.now() < until; ref++) {
        sender.send({ type: 'chat.send', room: 'flood', text: TEXT, ref });
        await sleep(40); // a rate is what is tested: a sender within its limit is never refused
      }
    });
    // The bystander publishes to its own topic, one request at a time, timing each ack.
    const latencies: number[] = [];
    const publishing = (async () => {
      for (let ref = 2; Date.now() < until; ref++) {
        const sent = performance.now();
        bystander.send({ type: 'topic.publish', topic: 'mine', data: { ref }, ref });
        await waitFor(() => bystander.messages.some((m) => m.type === 'ack' && m.ref === ref), 10_000, `ack ${ref}`);
        latencies.push(performance.now() - sent);
        await sleep(20); // a rate, as for the senders: acks alone would pace it past its limit on a quiet hub
      }
    })();
    await Promise.all([...sending, publishing]);
    clearInterval(sampler);
    await resumed;

    console.log(`[overload] ${latencies.length} acks, sender 0 got ${senders[0]!.ofType("chat.message").length} messages, ${senders[0]!.ofType("ack").length} acks, errors ${JSON.stringify(senders[0]!.ofType("error").slice(0,2))}`);
    console.log(`[overload] bystander ack p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; ` +
      `peak waiting ${(peakBuffered / 1024).toFixed(0)} KiB of ${BUDGET / 1024} KiB`);

    // Memory: what waits to be sent never passed the budget by more than a frame.
    expect(peakBuffered).toBeGreaterThan(0);
    expect(peakBuffered).toBeLessThanOrEqual(BUDGET + 4096);
    // The slow readers were shed, the biggest first, each told to come back later when it still read.
    await waitFor(() => readers.filter((r) => r.closeCode !== undefined).length >= shed.length, 5000, 'the shed readers to see their close');
    const closed = readers.filter((r) => r.closeCode !== undefined);
    for (const reader of closed) expect([1008, 1006]).toContain(reader.closeCode);
    const told = closed.filter((r) => r.closeCode === 1008);
    expect(told.length).toBeGreaterThan(0);
    for (const reader of told) {
      expect(reader.closeReason).toMatch(/too slow/);
      expect(retryAfterOf(reader.closeReason)).toBeGreaterThan(0);
    }
    // Nobody who kept up or stayed within the limits was refused or closed.
    for (const client of [...senders, bystander]) {
      expect(client.closeCode).toBeUndefined();
      expect(client.ofType('error')).toEqual([]);
    }
    expect(latencies.length).toBeGreaterThan(0);
  }, 30_000);
});
