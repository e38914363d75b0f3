// The operations API of one node acts on the whole cluster: presence of members connected elsewhere,
// publishing to subscribers elsewhere, disconnecting a member elsewhere. Over the memory bus and over
// a real redis-server; the other node does not serve the API itself.
import { describe, expect, it } from 'vitest';
import { CloseCode } from '@ghost/server';
import { memoryBackplane, redisBackplane, type Backplane } from '../../../../test/helpers/backplanes.js';
import { startHub } from '../../../../test/helpers/hub.js';
import { seenBy } from '../../../../test/helpers/presence.js';
import { RawClient } from '../../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../../test/helpers/redis-server.js';
import { waitFor, waitForAsync } from '../../../../test/helpers/wait.js';
import { call, TOKEN } from './ops-hub.js';

const fast = { tickMs: 10, nodeHeartbeatMs: 50, nodeTimeoutMs: 400 };

function opsClusterSuite(makeBackplane: () => Promise<Backplane>) {
  async function twoNodes(prefix: string) {
    const backplane = await makeBackplane();
    const a = await startHub({ ...fast, nodeId: `${prefix}-a`, adapter: await backplane.adapter(`${prefix}-a`) });
    const b = await startHub({ ...fast, nodeId: `${prefix}-b`, adapter: await backplane.adapter(`${prefix}-b`) });
    for (const node of [a, b]) node.hub.on('error', () => undefined); // the partition test fails publishes on purpose
    a.hub.attachOps(a.server, { token: TOKEN, clusterTimeoutMs: 300 });
    const base = `http://127.0.0.1:${a.port}/ghost-admin`;
    // A answers for the cluster once it has heard B.
    await waitForAsync(async () => (await call(`${base}/stats?scope=cluster`)).body.nodes[`${prefix}-b`], 5000, `${prefix}-a to hear ${prefix}-b`);
    return { backplane, a, b, base };
  }

  it('read the presence of a room whose members are all on another node, and disconnect one there', async () => {
    const { b, base } = await twoNodes('p');
    const watcher = (await RawClient.welcomed(b.url)).client;
    watcher.send({ type: 'presence.join', room: 'lobby' });
    await watcher.next('presence.snapshot');
    const { client: member, id } = await RawClient.welcomed(b.url);
    member.send({ type: 'presence.track', room: 'lobby', state: { x: 7 } });
    await waitFor(() => seenBy(watcher).has(id), 3000, 'the join on b');

    const presence = await call(`${base}/rooms/lobby/presence`);
    expect(presence.body).toEqual({ room: 'lobby', missing: [], members: [expect.objectContaining({ id, state: { x: 7 }, node: 'p-b' })] });
    const stats = await call(`${base}/stats?scope=cluster`);
    expect(stats.body.nodes['p-b']).toMatchObject({ connections: 2, members: 1 });
    expect(stats.body.nodes['p-a']).toMatchObject({ connections: 0 });

    const kicked = await call(`${base}/connections/${id}?reason=${encodeURIComponent('see you')}`, { method: 'DELETE' });
    expect(kicked).toMatchObject({ status: 200, body: { target: id, disconnected: 1, missing: [] } });
    expect(await member.closed()).toBe(CloseCode.DISCONNECTED_BY_OPERATOR);
    expect(member.closeReason).toBe('see you');
    await waitFor(() => !seenBy(watcher).has(id), 3000, 'the leave on b');
    expect((await call(`${base}/rooms/lobby/presence`)).body.members).toEqual([]);
  });

  it('publish over HTTP on one node reaches subscribers on the other', async () => {
    const { b, base } = await twoNodes('t');
    const { client } = await RawClient.welcomed(b.url);
    client.send({ type: 'topic.subscribe', topic: 'deploys', ref: 1 });
    await client.next('ack');
    expect(await call(`${base}/topics/deploys`, { body: { sha: 'abc' } })).toMatchObject({ status: 202 });
    expect(await client.next('topic.message')).toMatchObject({ topic: 'deploys', data: { sha: 'abc' }, from: null });
  });

  it('say which nodes did not answer instead of waiting on them', async () => {
    const { backplane, base } = await twoNodes('m');
    backplane.partition('m-b');
    const presence = await call(`${base}/rooms/lobby/presence`);
    expect(presence).toMatchObject({ status: 200, body: { members: [], missing: ['m-b'] } });
    const kicked = await call(`${base}/connections/nobody`, { method: 'DELETE' });
    expect(kicked).toMatchObject({ status: 200, body: { disconnected: 0, missing: ['m-b'] } });
    backplane.heal();
  });
}

describe('the operations API of a cluster on the memory bus', () => {
  opsClusterSuite(async () => memoryBackplane());
});

describeIfRedis('the operations API of a cluster on Redis', () => {
  const redis = useRedisServer();
  opsClusterSuite(() => redisBackplane(redis));
});
