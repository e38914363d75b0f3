// One client that stops reading must not slow a room, nor be fed stale cursor positions.
import { describe, expect, it } from 'vitest';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

describe('a slow reader in a busy room', () => {
  it('gets no stale diffs while behind, then one snapshot of the newest state; the others carry on', async () => {
    const running = await startHub({ tickMs: 5, limits: { slowBufferedBytes: 16 * 1024, maxStateBytes: 60_000, presencePerSecond: 10_000, presenceBurst: 10_000 } });
    const watch = async () => {
      const client = await RawClient.connect(running.url);
      await client.next('welcome');
      client.send({ type: 'presence.join', room: 'lobby' });
      await client.next('presence.snapshot');
      return client;
    };
    const healthy = await watch();
    const stalled = await watch();
    const mover = await RawClient.connect(running.url);
    const moverId = (await mover.next('welcome')).id;

    // The stalled client stops reading: its socket's buffers fill, then the hub's send buffer.
    (stalled.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    // Large states, one per tick: each sent once the healthy watcher saw the one before, until the
    // kernel's buffers are full and the hub's starts to grow.
    const big = 'x'.repeat(50_000);
    const shown = (round: number) => healthy.ofType('presence.diff').some((diff) =>
      [...(diff.joins ?? []), ...(diff.updates ?? [])].some((m) => (m.state as { round?: number }).round === round));
    const move = async (round: number) => {
      mover.send({ type: 'presence.track', room: 'lobby', state: { round, big } });
      await waitFor(() => shown(round), 5000, `round ${round} at the healthy watcher`);
    };
    let last = 0;
    for (let round = 1; round <= 600 && running.hub.stats().slow === 0; round++) await move((last = round));
    expect(running.hub.stats().slow).toBe(1);
    for (let round = last + 1; round <= last + 20; round++) await move(round);
    last += 20;
    await waitFor(() => {
      const diffs = healthy.ofType('presence.diff');
      const newest = diffs.at(-1)?.updates?.[0]?.state as { round: number } | undefined;
      return newest?.round === last;
    }, 5000, 'the healthy watcher to see the newest state');

    (stalled.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await waitFor(() => stalled.ofType('presence.snapshot').length === 2, 10_000, 'a catch-up snapshot');
    const snapshot = stalled.ofType('presence.snapshot')[1]!;
    expect(snapshot.members).toEqual([expect.objectContaining({ id: moverId, state: { round: last, big } })]);
    expect(stalled.ofType('presence.diff').length).toBeLessThan(healthy.ofType('presence.diff').length);
    await waitFor(() => running.hub.stats().slow === 0);
  });

  it('counts what waits for a reader that stopped reading from its first few frames on, instead of leaving it to the kernel', async () => {
    const running = await startHub();
    const subscribe = async () => {
      const { client } = await RawClient.welcomed(running.url);
      client.send({ type: 'topic.subscribe', topic: 'feed', ref: 1 });
      await client.next('ack');
      return client;
    };
    const reader = await subscribe();
    const stopped = await subscribe();
    (stopped.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    // 1 MB: on loopback the kernel would take all of it into a never-read socket's buffers.
    const chunk = 'x'.repeat(10_000);
    for (let n = 1; n <= 100; n++) {
      await running.hub.publish('feed', { n, chunk });
      if (n % 10 === 0) await waitFor(() => reader.ofType('topic.message').length === n, 5000, `the reader to read ${n}`);
    }
    // The hub wrote a first window (4 KiB) ahead of the stopped reader, no more: the rest waits in
    // the hub, where its budget sees it.
    expect(running.hub.stats().bufferedBytes).toBeGreaterThan(900_000);
    expect(running.hub.stats().slow).toBe(1);
    // The reader that reads was paced by its own answers to the hub's pings, and got everything.
    expect(reader.ofType('topic.message').map((m) => (m.data as { n: number }).n)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(reader.closeCode).toBeUndefined();
  });
});
