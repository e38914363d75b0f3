// A Prometheus scrape of the metrics endpoint: the format, and the numbers moving when what they count happens.
import { describe, expect, it } from 'vitest';
import { RawClient } from '../../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../../test/helpers/redis-server.js';
import { waitFor, waitForAsync } from '../../../../test/helpers/wait.js';
import { redisAdapter } from '@ghost/server/redis';
import { call, startOpsHub, type OpsHub } from './ops-hub.js';

/** Scrapes and parses the exposition: `name{labels}` → value. */
async function scrape(running: OpsHub): Promise<Map<string, number>> {
  const { status, headers, body } = await call(`${running.base}/metrics`);
  expect(status).toBe(200);
  expect(headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (body as string).split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    expect(match, line).not.toBeNull();
    samples.set(match![1]!, Number(match![2]));
  }
  return samples;
}

/** Scrapes until `check` holds of the samples; returns them. */
function scrapeUntil(running: OpsHub, check: (samples: Map<string, number>) => boolean, what: string): Promise<Map<string, number>> {
  return waitForAsync(async () => {
    const samples = await scrape(running);
    return check(samples) && samples;
  }, 3000, what);
}

/** A connection watching the room `lobby`, past its snapshot. */
async function watcher(running: OpsHub): Promise<RawClient> {
  const { client } = await RawClient.welcomed(running.url);
  client.send({ type: 'presence.join', room: 'lobby' });
  await client.next('presence.snapshot');
  return client;
}

/** Whether a watcher was shown the state `{ round }` (in a join or an update). */
const shown = (client: RawClient, round: number) =>
  client.ofType('presence.diff').some((diff) => [...(diff.joins ?? []), ...(diff.updates ?? [])].some((m) => (m.state as { round?: number }).round === round));

describe('the metrics endpoint', () => {
  it('follows the Prometheus text format and conventions', async () => {
    const running = await startOpsHub();
    const { body } = await call(`${running.base}/metrics`);
    const text = body as string;
    for (const family of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      const [, name, type] = family;
      expect(name).toMatch(/^ghost_[a-z_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      expect(text).toContain(`# HELP ${name} `);
    }
    const samples = await scrape(running);
    expect(samples.get(`ghost_node_info{node="${running.hub.nodeId}"}`)).toBe(1);
  });

  it('shows a stalled event loop in the delay summary', async () => {
    const running = await startOpsHub();
    const count = 'ghost_event_loop_delay_seconds_count';
    const p99 = 'ghost_event_loop_delay_seconds{quantile="0.99"}';
    await scrapeUntil(running, (samples) => samples.get(count)! > 0, 'the first samples (one every 10 ms)');
    const stallUntil = Date.now() + 200;
    while (Date.now() < stallUntil); // a handler that blocks the loop, as a CPU-bound request would
    // The stall is recorded when the sampling timer next runs, right after it.
    const samples = await scrapeUntil(running, (s) => s.get(p99)! >= 0.1, 'the stall in the summary');
    expect(samples.get(count)).toBeGreaterThan(0);
    expect(samples.get(p99)).toBeGreaterThanOrEqual(0.1);
  });

  it('counts connections, messages in and out by type, rate-limit hits and coalesced presence', async () => {
    const running = await startOpsHub({ tickMs: 200, limits: { messagesPerSecond: 1, burst: 3 } });
    const before = await scrape(running);
    expect(before.get('ghost_connections')).toBe(0);

    const { client } = await RawClient.welcomed(running.url);
    client.send({ type: 'presence.join', room: 'lobby' });
    await client.next('presence.snapshot');
    // Within one 200 ms tick: the first track joins, the next ones replace each other before it is sent.
    for (let x = 1; x <= 4; x++) client.send({ type: 'presence.track', room: 'lobby', state: { x } });
    for (let i = 0; i < 5; i++) client.send({ type: 'topic.subscribe', topic: `t${i}`, ref: i + 1 });
    await client.next('error');

    const samples = await scrape(running);
    expect(samples.get('ghost_connections')).toBe(1);
    expect(samples.get('ghost_connections_opened_total')).toBe(1);
    expect(samples.get('ghost_messages_received_total{type="presence.join"}')).toBe(1);
    expect(samples.get('ghost_messages_received_total{type="presence.track"}')).toBe(4);
    expect(samples.get('ghost_messages_sent_total{type="welcome"}')).toBe(1);
    expect(samples.get('ghost_messages_sent_total{type="presence.snapshot"}')).toBe(1);
    expect(samples.get('ghost_rate_limited_total{bucket="messages"}')).toBeGreaterThan(0);
    expect(samples.get('ghost_presence_updates_coalesced_total')).toBe(3);

    // `connections` counts open sockets: it drops as the close frame arrives, before the session ends
    // (and is counted closed) with the socket's close. The end is the hub's disconnect event.
    const ended = new Promise<{ reason: string }>((resolve) => running.hub.on('disconnect', resolve));
    client.close();
    expect(await ended).toMatchObject({ reason: 'left' });
    const closed = await scrape(running);
    expect(closed.get('ghost_connections')).toBe(0);
    expect(closed.get('ghost_connections_closed_total{reason="left"}')).toBe(1);
  });

  it('counts a broadcast once per recipient, the last one included when scraped right after it', async () => {
    const running = await startOpsHub();
    const clients = await Promise.all([1, 2, 3].map(async () => (await RawClient.welcomed(running.url)).client));
    for (const client of clients) {
      client.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
      await client.next('ack');
    }
    await running.hub.publish('news', 'one');
    await Promise.all(clients.map((client) => client.next('topic.message')));
    expect((await scrape(running)).get('ghost_messages_sent_total{type="topic.message"}')).toBe(3);
    await running.hub.publish('news', 'two');
    await Promise.all(clients.map((client) => client.next('topic.message')));
    const samples = await scrape(running);
    expect(samples.get('ghost_messages_sent_total{type="topic.message"}')).toBe(6);
    expect(samples.get('ghost_messages_sent_total{type="ack"}')).toBe(3);
  });

  it('counts recovery replays and the messages they carried', async () => {
    const running = await startOpsHub({ recovery: { topics: ['log'] } });
    await running.hub.publish('log', 'one');
    await running.hub.publish('log', 'two');
    const { client } = await RawClient.welcomed(running.url);
    client.send({ type: 'topic.subscribe', topic: 'log', since: 0, ref: 1 });
    await client.next('ack');
    const samples = await scrape(running);
    expect(samples.get('ghost_recovery_replays_total')).toBe(1);
    expect(samples.get('ghost_recovery_replayed_messages_total')).toBe(2);
  });

  it('counts presence diffs skipped for a slow reader, and its disconnect when it falls too far behind', async () => {
    const running = await startOpsHub({
      tickMs: 5,
      limits: { slowBufferedBytes: 16 * 1024, maxBufferedBytes: 256 * 1024, maxStateBytes: 60_000, presencePerSecond: 10_000, presenceBurst: 10_000 },
    });
    // The healthy watcher reads: each state is sent on only once it saw the one before, one per tick.
    const healthy = await watcher(running);
    const stalled = await watcher(running);
    const mover = (await RawClient.welcomed(running.url)).client;
    const big = 'x'.repeat(50_000);
    const move = async (round: number) => {
      mover.send({ type: 'presence.track', room: 'lobby', state: { round, big } });
      await waitFor(() => shown(healthy, round), 5000, `round ${round} at the healthy watcher`);
    };
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let round = 1; round <= 600 && running.hub.stats().slow === 0; round++) await move(round);
    // Ticks the healthy watcher got while the stalled one was slow: skipped for the stalled one.
    for (let round = 1; round <= 5; round++) await move(-round);
    expect((await scrape(running)).get('ghost_presence_frames_dropped_total')).toBeGreaterThan(0);

    // Broadcasts are never held back: they fill the slow socket's buffer until the hub gives up on it.
    for (let i = 1; i <= 100 && running.hub.stats().connections === 3; i++) {
      await running.hub.broadcast(big);
      await waitFor(() => healthy.ofType('broadcast').length === i, 5000, `broadcast ${i} at the healthy watcher`);
    }
    await waitFor(() => running.hub.stats().connections === 2, 3000, 'the slow socket to be dropped');
    expect((await scrape(running)).get('ghost_slow_consumer_disconnects_total')).toBe(1);
  });
});

describeIfRedis('the metrics endpoint on Redis', () => {
  const redis = useRedisServer();

  it('counts bus publish failures while Redis is down', async () => {
    const running = await startOpsHub({ adapter: redisAdapter({ url: redis.url }) });
    running.hub.on('error', () => undefined); // this test takes Redis down on purpose
    await running.hub.broadcast('up');
    expect((await scrape(running)).get('ghost_bus_publish_failures_total')).toBe(0);
    await redis.kill();
    await running.hub.broadcast('down');
    // Counted when the publishing link finds the publish lost: within the adapter's command timeout.
    await waitForAsync(async () => (await scrape(running)).get('ghost_bus_publish_failures_total')! >= 1, 3000, 'the failure counted');
  });
});
