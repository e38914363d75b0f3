// Hubs on a Redis Cluster that breaks under them: a master SIGKILLed (its replica takes over) and a
// slot moved to another master (what `redis-cli --cluster reshard` does). A throwaway cluster of its
// own, since these tests kill and reshard it. The failover gap is measured in bench/cluster-failover.ts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isRetryable, type ErrorCode } from '@ghost/protocol';
import { redisAdapter } from '@ghost/server/redis';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedisCluster, startRedisCluster, type RedisClusterProcess } from '../../../test/helpers/redis-cluster.js';
import { waitFor } from '../../../test/helpers/wait.js';

const connect = async (url: string) => (await RawClient.welcomed(url)).client;

let nextRef = 1;
/** Sends a request and resolves with its answer (ack or error), or 'no answer' after `timeoutMs`. */
async function request(client: RawClient, message: Record<string, unknown>, timeoutMs = 5000) {
  const ref = nextRef++;
  client.send({ ...message, ref });
  const answer = () => client.messages.find((m) => (m.type === 'ack' || m.type === 'error') && m.ref === ref);
  // Timing out is an outcome here (the test counts unanswered requests), not a failure.
  const answered = await waitFor(answer, timeoutMs, `the answer to request ${ref}`).catch(() => undefined);
  return answered ? (answered as { type: 'ack' } | { type: 'error'; code: ErrorCode }) : ({ type: 'no answer' } as const);
}

/** The numbers a client received on a topic, in arrival order. */
const numbersOf = (client: RawClient) => client.ofType('topic.message').map((m) => m.data as number);

describeIfRedisCluster('hubs on a Redis Cluster that loses a master or moves a slot', () => {
  let redis: RedisClusterProcess;
  beforeAll(async () => {
    redis = await startRedisCluster();
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
  });

  const hubOn = async (nodeId: string, options: Parameters<typeof startHub>[0] = {}) => {
    const running = await startHub({ ...options, nodeId, adapter: redisAdapter({ cluster: redis.urls }) });
    const errors: Error[] = [];
    running.hub.on('error', (error) => errors.push(error));
    return { ...running, errors };
  };

  it('holds one subscriber connection per master, however many rooms and topics', async () => {
    const hub = await hubOn('many');
    const client = await connect(hub.url);
    const topics = Array.from({ length: 60 }, (_, i) => `t${i}`);
    for (const topic of topics) client.send({ type: 'topic.subscribe', topic, ref: nextRef++ });
    await waitFor(() => client.ofType('ack').length === topics.length, 5000, 'every subscription');
    const masters = await redis.masters();
    const subscribers = await Promise.all(masters.map((master) => redis.on(master, async (r) => {
      const clients = String(await r.client('LIST')).trim().split('\n');
      return clients.map((line) => Number(/ ssub=(\d+)/.exec(line)?.[1] ?? 0)).filter((ssub) => ssub > 0);
    })));
    // Each master: one connection holding every sharded channel of this hub whose slot it serves (the
    // 60 topics and the node's own answer channel), not one connection per channel.
    for (const perMaster of subscribers) expect(perMaster).toHaveLength(1);
    expect(subscribers.flat().reduce((sum, n) => sum + n, 0)).toBe(topics.length + 1);
  });

  it('a master SIGKILLed: its replica takes over, delivery on its shard resumes by itself, chat sends in the gap get a retryable error', async () => {
    const [a, b] = [await hubOn('fa'), await hubOn('fb')];
    // One name for the topic and the chat room: the same hash tag, so both live on the shard we kill.
    const room = 'lobby';
    const reader = await connect(b.url);
    expect(await request(reader, { type: 'topic.subscribe', topic: room })).toMatchObject({ type: 'ack' });
    const chatter = await connect(a.url);
    await request(chatter, { type: 'chat.join', room });
    expect(await request(chatter, { type: 'chat.identify', room, name: 'ada' })).toMatchObject({ type: 'ack' });

    let sent = 0;
    const publisher = setInterval(() => void a.hub.publish(room, ++sent), 50);
    try {
      await waitFor(() => numbersOf(reader).length >= 5, 5000, 'traffic across the hubs');
      const victim = await redis.masterOf(await redis.slotOf(`ghost:topic:{${room}}`));
      expect(await redis.slotOf(`ghost:chat:{${room}}:history`)).toBe(await redis.slotOf(`ghost:topic:{${room}}`));
      await redis.kill(victim);
      const killedAt = sent;

      // Chat sends while the shard is gone: each gets an answer, an ack or a retryable coded error.
      const answers: Awaited<ReturnType<typeof request>>[] = [];
      let promoted = false;
      const settling = redis.settled().then(() => (promoted = true));
      while (!promoted) answers.push(await request(chatter, { type: 'chat.send', room, text: `during ${answers.length}` }));
      await settling;
      expect((await redis.masterOf(await redis.slotOf(`ghost:topic:{${room}}`))).port).not.toBe(victim.port);
      expect(answers.filter((answer) => answer.type === 'no answer')).toEqual([]);
      const refused = answers.flatMap((answer) => (answer.type === 'error' ? [answer.code] : []));
      expect(refused.length).toBeGreaterThan(0);
      for (const code of refused) expect(isRetryable(code)).toBe(true);

      // Nothing restarted: the same subscription gets what is published after the failover.
      const resumedFrom = sent;
      await waitFor(() => numbersOf(reader).some((n) => n > resumedFrom), 10_000, 'delivery on the promoted replica');
      expect(numbersOf(reader).filter((n) => n > killedAt).length).toBeGreaterThan(0);
      // And chat works again on the same connection.
      let after = await request(chatter, { type: 'chat.send', room, text: 'after' });
      for (let tries = 0; after.type !== 'ack' && tries < 10; tries++) after = await request(chatter, { type: 'chat.send', room, text: 'after' });
      expect(after.type).toBe('ack');
    } finally {
      clearInterval(publisher);
    }
    // One report per hub and outage, not one per failed reconnect (there are hundreds).
    for (const hub of [a, b]) {
      const reports = hub.errors.filter((error) => error.message.includes('Redis Cluster'));
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports.length).toBeLessThanOrEqual(2);
    }
  }, 60_000);

  it("a live topic's slot moved to another master: every subscriber on every hub keeps receiving, and its history moved along and replays", async () => {
    const recovery = { topics: ['moving'] };
    const [a, b] = [await hubOn('ra', { recovery }), await hubOn('rb', { recovery })];
    const readers = [await connect(a.url), await connect(b.url)];
    for (const reader of readers) expect(await request(reader, { type: 'topic.subscribe', topic: 'moving' })).toMatchObject({ type: 'ack' });

    let sent = 0;
    const publisher = setInterval(() => void a.hub.publish('moving', ++sent), 50);
    try {
      await waitFor(() => readers.every((r) => numbersOf(r).length >= 5), 5000, 'traffic to both readers');
      const slot = await redis.slotOf('ghost:topic:{moving}');
      const from = await redis.masterOf(slot);
      const to = (await redis.masters()).find((master) => master.port !== from.port)!;
      await redis.moveSlot(slot, to);
      const movedAt = sent;
      expect((await redis.masterOf(slot)).port).toBe(to.port);
      // The history went with the slot: the new owner holds the stream itself, no redirect.
      expect(await redis.on(to, (r) => r.exists('ghost:topic:{moving}:history'))).toBe(1);

      await waitFor(() => readers.every((r) => numbersOf(r).filter((n) => n > movedAt).length >= 10), 10_000, 'both readers to keep receiving');
    } finally {
      clearInterval(publisher);
    }

    // A reader that comes back with the first position it saw is replayed what came after, from the
    // history that now lives on the other master.
    const first = readers[0]!.ofType('topic.message')[0]!;
    const returning = await connect(b.url);
    expect(await request(returning, { type: 'topic.subscribe', topic: 'moving', since: first.seq })).toMatchObject({ type: 'ack' });
    await waitFor(() => numbersOf(returning).includes(sent), 5000, 'the replay');
    expect(numbersOf(returning).slice(0, 3)).toEqual([Number(first.data) + 1, Number(first.data) + 2, Number(first.data) + 3]);
    expect(returning.ofType('topic.reset')).toEqual([]);
  }, 60_000);
});
