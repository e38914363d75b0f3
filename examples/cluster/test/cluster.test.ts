import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient } from '@ghost/client';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { openClient } from '../../../test/helpers/clients.js';
import { describeIfRedisCluster, startRedisCluster, type RedisClusterProcess } from '../../../test/helpers/redis-cluster.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { startClusterDemo, type ClusterDemo } from '../server.js';

/** The example's behaviour, whichever Redis its nodes meet through. */
function clusterExample(demo: () => ClusterDemo) {
  const ws = (i: number) => `ws://127.0.0.1:${demo().nodes[i]!.port}/ghost`;
  const cluster = { get nodes() { return demo().nodes; } };

  it('GET /ping1 on one node reaches the sockets of both', async () => {
    const [a, b] = [openClient(ws(0)), openClient(ws(1))];
    const got: [string, unknown][] = [];
    a.on('broadcast', (data) => got.push(['a', data]));
    b.on('broadcast', (data) => got.push(['b', data]));
    await waitFor(() => a.status === 'open' && b.status === 'open');
    // A node that has just started may not be listening to the others yet (on a Redis Cluster that
    // takes a few hundred ms): ping again until one ping reaches both.
    const reachedBoth = (ping: number) => new Set(got.filter(([, data]) => (data as { ping: number }).ping === ping).map(([who]) => who)).size === 2;
    for (let tries = 0; tries < 20; tries++) {
      const answer = await fetch(`${cluster.nodes[0]!.url}/ping1`).then((r) => r.text());
      expect(answer).toMatch(/^ping \d+ sent via node-/);
      const ping = Number(/^ping (\d+)/.exec(answer)![1]);
      try {
        await waitFor(() => reachedBoth(ping), 500, 'the ping on both nodes');
        return;
      } catch {
        // not yet: ping again
      }
    }
    throw new Error(`no ping reached both nodes: ${JSON.stringify(got)}`);
  });

  it('a chat room spans the nodes: one name per room across both, messages and history everywhere', async () => {
    const [ada, bob] = [openClient(ws(0)), openClient(ws(1))];
    await ada.chat('fishing').identify('ada');
    await expect(bob.chat('fishing').identify('Ada')).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    await bob.chat('fishing').identify('bob');
    const heard: string[] = [];
    bob.chat('fishing').on('message', (m) => heard.push(`${m.user}: ${m.text}`));
    await ada.chat('fishing').send('morning is best');
    await waitFor(() => heard.length === 1, 5000, 'the message on the other node');
    expect(heard).toEqual(['ada: morning is best']);
    const late = createClient(ws(1));
    closeAfterTest(() => late.close());
    await waitFor(() => late.chat('fishing').history.length === 1, 5000, 'the shared history');
  });

  it('presence spans the nodes', async () => {
    const [here, there] = [openClient(ws(0)), openClient(ws(1))];
    here.presence('lobby').track({ x: 0.25, y: 0.5 });
    await waitFor(() => there.presence('lobby').others.length === 1, 5000, 'the member from the other node');
    expect(there.presence('lobby').others[0]!.state).toEqual({ x: 0.25, y: 0.5 });
  });
}

describeIfRedis('the cluster example', () => {
  const redis = useRedisServer();
  let cluster: ClusterDemo;
  beforeAll(async () => {
    cluster = await startClusterDemo({ ports: [0, 0], redisUrl: redis.url });
  });
  afterAll(async () => {
    await cluster?.close();
  });
  clusterExample(() => cluster);
});

describeIfRedisCluster('the cluster example on a Redis Cluster (REDIS_CLUSTER)', () => {
  let redis: RedisClusterProcess;
  let cluster: ClusterDemo;
  beforeAll(async () => {
    redis = await startRedisCluster({ replicas: false });
    cluster = await startClusterDemo({ ports: [0, 0], redisCluster: redis.urls });
  }, 60_000);
  afterAll(async () => {
    await cluster?.close();
    await redis?.stop();
  });
  clusterExample(() => cluster);
});
