// Hub nodes that meet only through a real Redis (one redis-server, and a Redis Cluster): in one
// process, and as separate processes that can be SIGKILLed. The same behaviours as the memory-bus
// cluster tests, over the real backplane.
import { beforeEach, expect, it } from 'vitest';
import type { Adapter } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { startHub } from '../../../test/helpers/hub.js';
import { spawnHubNode, type RedisAt } from '../../../test/helpers/hub-process.js';
import { describeIfRedisCluster, sharedRedisCluster, uniquePrefix } from '../../../test/helpers/redis-cluster.js';
import { seenBy } from '../../../test/helpers/presence.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { waitFor } from '../../../test/helpers/wait.js';

const fast = { tickMs: 10, nodeHeartbeatMs: 100, nodeTimeoutMs: 500 };

const connect = RawClient.welcomed;

async function watch(url: string) {
  const { client } = await connect(url);
  client.send({ type: 'presence.join', room: 'lobby' });
  await client.next('presence.snapshot');
  return client;
}


/** Where the hubs of a test meet: an adapter for each hub in this process, and the same Redis for a hub process. */
interface RedisUnderTest {
  adapter(): Adapter;
  at: RedisAt;
}

/** What holds for hubs on any Redis, one server or a cluster. */
function hubsOnRedis(redis: () => RedisUnderTest) {
  const node = async (nodeId: string) => {
    const running = await startHub({ ...fast, nodeId, adapter: redis().adapter() });
    running.hub.on('error', () => undefined); // these tests take Redis down on purpose
    return running;
  };

  it('share presence: a member on one node joins, moves and leaves on the other', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const watcher = await watch(b.url);
    const { client: mover, id } = await connect(a.url);
    mover.send({ type: 'presence.track', room: 'lobby', state: { x: 1 } });
    await waitFor(() => seenBy(watcher).get(id) !== undefined, 3000, 'the join');
    mover.send({ type: 'presence.track', room: 'lobby', state: { x: 2 } });
    await waitFor(() => (seenBy(watcher).get(id) as { x: number } | undefined)?.x === 2, 3000, 'the move');
    mover.close(1000);
    await waitFor(() => !seenBy(watcher).has(id), 3000, 'the leave');
    expect(watcher.ofType('presence.diff').flatMap((d) => d.leaves ?? [])).toEqual([{ id, reason: 'left' }]);
  });

  it('a node process killed with SIGKILL has its members leave everywhere with "node-down"', async () => {
    const survivor = await node('survivor');
    const victim = await spawnHubNode(redis().at, 'victim', { NODE_HEARTBEAT_MS: '100', NODE_TIMEOUT_MS: '500' });
    const watcher = await watch(survivor.url);
    const { client: doomed, id } = await connect(`ws://127.0.0.1:${victim.port}/ghost`);
    doomed.send({ type: 'presence.track', room: 'lobby', state: { x: 0.5 } });
    await waitFor(() => seenBy(watcher).has(id), 5000, 'the member on the other process');

    victim.child.kill('SIGKILL');
    await waitFor(() => !seenBy(watcher).has(id), 5000, 'the ghost to go');
    expect(watcher.ofType('presence.diff').flatMap((d) => d.leaves ?? [])).toEqual([{ id, reason: 'node-down' }]);
  });

  it('presence keyed by user across two node processes: one member, no leave when one of its tabs closes, one when the last does', async () => {
    const env = { PRESENCE_KEY: 'user', NODE_HEARTBEAT_MS: '100', NODE_TIMEOUT_MS: '500' };
    const [a, b] = [await spawnHubNode(redis().at, 'user-a', env), await spawnHubNode(redis().at, 'user-b', env)];
    const url = (node: { port: number }, user: string) => `ws://127.0.0.1:${node.port}/ghost?user=${user}`;
    const { client: watcher } = await connect(url(a, 'watcher'));
    watcher.send({ type: 'presence.join', room: 'lobby' });
    await watcher.next('presence.snapshot');
    const { client: tabOnB } = await connect(url(b, 'ada'));
    tabOnB.send({ type: 'presence.track', room: 'lobby', state: 'on B' });
    await waitFor(() => seenBy(watcher).get('ada') === 'on B', 5000, "the tab on B");
    const { client: tabOnA } = await connect(url(a, 'ada'));
    tabOnA.send({ type: 'presence.track', room: 'lobby', state: 'on A' });
    await waitFor(() => seenBy(watcher).get('ada') === 'on A', 5000, 'the tab on A, tracked last');
    expect([...seenBy(watcher).keys()]).toEqual(['ada']);

    const leaves = () => watcher.ofType('presence.diff').flatMap((d) => d.leaves ?? []);
    tabOnA.close(1000);
    await waitFor(() => seenBy(watcher).get('ada') === 'on B', 5000, "B's state once the tab on A closed");
    expect(leaves()).toEqual([]);
    tabOnB.close(1000);
    await waitFor(() => !seenBy(watcher).has('ada'), 5000, 'the leave');
    expect(leaves()).toEqual([{ id: 'ada', reason: 'left' }]);
    expect(watcher.ofType('presence.diff').flatMap((d) => d.joins ?? []).filter((m) => m.id === 'ada')).toHaveLength(1);
  });
}

describeIfRedis('hubs on one Redis', () => {
  const redis = useRedisServer();
  hubsOnRedis(() => ({ adapter: () => redisAdapter({ url: redis.url }), at: redis.url }));

  const node = async (nodeId: string) => {
    const running = await startHub({ ...fast, nodeId, adapter: redisAdapter({ url: redis.url }) });
    running.hub.on('error', () => undefined); // these tests take Redis down on purpose
    return running;
  };

  it('keep serving local clients while Redis is down, and re-sync presence when it is back', async () => {
    const [a, b] = [await node('a2'), await node('b2')];
    const watcherOnB = await watch(b.url);
    const watcherOnA = await watch(a.url);
    const localSub = await connect(a.url);
    localSub.client.send({ type: 'topic.subscribe', topic: 't', ref: 1 });
    await localSub.client.next('ack');

    await redis.kill();
    // Local delivery does not wait on the bus.
    await a.hub.publish('t', 'during the outage');
    expect((await localSub.client.next('topic.message')).data).toBe('during the outage');
    // A member joins on A while the bus is gone: B cannot hear it yet.
    const { client: mover, id } = await connect(a.url);
    mover.send({ type: 'presence.track', room: 'lobby', state: 'joined during the outage' });
    // A's tick has shown the join on A (and sent it on to the bus, which is gone).
    await waitFor(() => seenBy(watcherOnA).has(id), 3000, 'the join on A');
    expect(seenBy(watcherOnB).has(id)).toBe(false);

    await redis.restart();
    await waitFor(() => seenBy(watcherOnB).get(id) === 'joined during the outage', 8000, 'presence to re-sync');
    const leaves = watcherOnB.ofType('presence.diff').flatMap((d) => d.leaves ?? []);
    expect(leaves.filter((l) => l.id === id)).toEqual([]);
  });
});

// Failover and resharding, which need a cluster of their own to break, are in redis-failover.test.ts.
describeIfRedisCluster('hubs on a Redis Cluster', () => {
  let prefix = '';
  beforeEach(() => {
    prefix = uniquePrefix('hubs'); // the cluster is shared: keys and channels of this test only
  });
  hubsOnRedis(() => ({
    adapter: () => redisAdapter({ cluster: sharedRedisCluster(), prefix }),
    at: { cluster: sharedRedisCluster(), prefix },
  }));
});
