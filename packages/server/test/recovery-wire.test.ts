// Recoverable topics on the wire, as docs/protocol.md §6.1 (`topic.subscribe`) states them for a
// client written by hand: where a fresh subscription starts, the order of a replay and its ack, and
// what a resumed session that does not ask again gets once the hold ends.
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '@ghost/protocol';
import { RESUME_HOLD_MS } from '../src/features/topics.js';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

/** A message as its type and, for topic messages, its data: enough to read an order at a glance. */
const brief = (m: ServerMessage) => (m.type === 'topic.message' ? `message ${String(m.data)}` : m.type === 'ack' ? `ack ${m.ref}` : m.type);

describe('recoverable topics on the wire', () => {
  it("a subscribe without since is acked with the history's newest seq (0 before the first message)", async () => {
    const running = await startHub({ recovery: { topics: ['orders'] } });
    const first = await RawClient.connect(running.url, '?v=1');
    await first.next('welcome');
    first.send({ type: 'topic.subscribe', topic: 'orders', ref: 1 });
    expect((await first.next('ack')).result).toEqual({ seq: 0 });

    await running.hub.publish('orders', 'a');
    await running.hub.publish('orders', 'b');
    const b = (await waitFor(() => first.ofType('topic.message')[1]))!;

    const second = await RawClient.connect(running.url, '?v=1');
    await second.next('welcome');
    second.send({ type: 'topic.subscribe', topic: 'orders', ref: 1 });
    expect((await second.next('ack')).result).toEqual({ seq: b.seq });
    // The position is real: asking from it with `since` gets nothing more, and no reset.
    second.send({ type: 'topic.subscribe', topic: 'orders', since: b.seq, ref: 2 });
    await second.next('ack');
    expect(second.messages.map(brief)).toEqual(['welcome', 'ack 1', 'ack 2']);
  });

  it('answers a subscribe with since: reset first when the gap is gone, then what is kept, in order, then the ack', async () => {
    const running = await startHub({ recovery: { topics: ['orders'], historySize: 3 } });
    const watcher = await RawClient.connect(running.url, '?v=1');
    await watcher.next('welcome');
    watcher.send({ type: 'topic.subscribe', topic: 'orders', ref: 1 });
    await watcher.next('ack');
    for (const data of ['1', '2', '3', '4', '5']) await running.hub.publish('orders', data);
    const seqs = (await waitFor(() => (watcher.ofType('topic.message').length === 5 ? watcher.ofType('topic.message') : undefined))).map((m) => m.seq!);

    // From before the kept three (2 is gone): the reset comes before the replay of 3, 4, 5.
    const behind = await RawClient.connect(running.url, '?v=1');
    await behind.next('welcome');
    behind.send({ type: 'topic.subscribe', topic: 'orders', since: seqs[0], ref: 9 });
    await behind.next('ack');
    expect(behind.messages.map(brief)).toEqual(['welcome', 'topic.reset', 'message 3', 'message 4', 'message 5', 'ack 9']);

    // From inside the history: only what follows, no reset.
    const close = await RawClient.connect(running.url, '?v=1');
    await close.next('welcome');
    close.send({ type: 'topic.subscribe', topic: 'orders', since: seqs[3], ref: 9 });
    await close.next('ack');
    expect(close.messages.map(brief)).toEqual(['welcome', 'message 5', 'ack 9']);
  });

  it(`holds a resumed session's live messages ${RESUME_HOLD_MS} ms at most, then delivers them without what it missed while away`, async () => {
    const running = await startHub({ recovery: { topics: ['orders'] } });
    const away = await RawClient.connect(running.url, '?v=1');
    const { resume } = await away.next('welcome');
    away.send({ type: 'topic.subscribe', topic: 'orders', ref: 1 });
    await away.next('ack');
    await running.hub.publish('orders', 'before');
    await away.next('topic.message');
    away.close(4200); // not 1000: the session waits out its grace period
    await waitFor(() => running.hub.stats().resumable === 1);

    await running.hub.publish('orders', 'while away'); // numbered: not kept for the session
    const back = await RawClient.connect(running.url, `?v=1&resume=${encodeURIComponent(resume)}`);
    expect((await back.next('welcome')).resumed).toBe(true);
    const resumedAt = Date.now();
    await running.hub.publish('orders', 'after');
    // A broadcast is never held: had 'after' gone out, it came before this.
    await running.hub.broadcast('later');
    await back.next('broadcast');
    expect(back.ofType('topic.message')).toEqual([]); // held: the client is expected to ask with since

    const after = await back.next('topic.message', RESUME_HOLD_MS + 2000);
    expect(after.data).toBe('after');
    expect(Date.now() - resumedAt).toBeGreaterThanOrEqual(RESUME_HOLD_MS - 50);
    // The gap is the client's to fill: asking from 'before' replays what it missed.
    const before = away.ofType('topic.message')[0]!;
    back.send({ type: 'topic.subscribe', topic: 'orders', since: before.seq, ref: 2 });
    await back.next('ack');
    expect(back.ofType('topic.message').map((m) => m.data)).toEqual(['after', 'while away', 'after']);
  }, 15_000);
});
