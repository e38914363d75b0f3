// A Prometheus scrape of the metrics endpoint: the format, and the numbers moving when what they count happens.
import { describe, expect, it } from 'vitest';
import { RawClient } from '../../../../test/helpers/raw-client.js';
import { describeIfRedis, startRedisServer } from '../../../../test/helpers/redis-server.js';
import { sleep, waitFor } from '../../../../test/helpers/wait.js';
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
    await sleep(50); // a few samples, one every 10 ms
    const stallUntil = Date.now() + 200;
    while (Date.now() < stallUntil); // a handler that blocks the loop, as a CPU-bound request would
    await sleep(30);
    const samples = await scrape(running);
    expect(samples.get('ghost_event_loop_delay_seconds_count')).toBeGreaterThan(0);
    expect(samples.get('ghost_event_loop_delay_seconds{quantile="0.99"}')).toBeGreaterThanOrEqual(0.1);
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

    client.close();
    await waitFor(() => running.hub.stats().connections === 0, 3000, 'the close');
    const closed = await scrape(running);
    expect(closed.get('ghost_connections')).toBe(0);
    expect(closed.get('ghost_connections_closed_total{reason="left"}')).toBe(1);
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
    const stalled = (await RawClient.welcomed(running.url)).client;
    stalled.send({ type: 'presence.join', room: 'lobby' });
    await stalled.next('presence.snapshot');
    const mover = (await RawClient.welcomed(running.url)).client;
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'x'.repeat(50_000);
    for (let round = 1; round <= 600 && running.hub.stats().slow === 0; round++) {
      mover.send({ type: 'presence.track', room: 'lobby', state: { round, big } });
      await sleep(6);
    }
    for (let round = 1; round <= 5; round++) {
      mover.send({ type: 'presence.track', room: 'lobby', state: { round: -round, big } });
      await sleep(10);
    }
    expect((await scrape(running)).get('ghost_presence_frames_dropped_total')).toBeGreaterThan(0);

    // Broadcasts are never held back: they fill the slow socket's buffer until the hub gives up on it.
    for (let i = 0; i < 100 && running.hub.stats().connections === 2; i++) {
      await running.hub.broadcast(big);
      await sleep(2);
    }
    await waitFor(() => running.hub.stats().connections === 1, 3000, 'the slow socket to be dropped');
    expect((await scrape(running)).get('ghost_slow_consumer_disconnects_total')).toBe(1);
  });
});

describeIfRedis('the metrics endpoint on Redis', () => {
  it('counts bus publish failures while Redis is down', async () => {
    const redis = await startRedisServer();
    try {
      const running = await startOpsHub({ adapter: redisAdapter({ url: redis.url }) });
      running.hub.on('error', () => undefined); // this test takes Redis down on purpose
      await running.hub.broadcast('up');
      expect((await scrape(running)).get('ghost_bus_publish_failures_total')).toBe(0);
      await redis.kill();
      await running.hub.broadcast('down');
      expect((await scrape(running)).get('ghost_bus_publish_failures_total')).toBe(1);
    } finally {
      await redis.stop();
    }
  });
});
