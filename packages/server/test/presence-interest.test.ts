// Presence traffic between nodes follows interest: a node sends a room's changes only while another
// node has watchers there, and a node joining the cluster costs sync messages for the rooms it
// shares, not for every room. Counted on the memory bus and on a real redis-server.
import { describe, expect, it } from 'vitest';
import type { HubOptions } from '@ghost/server';
import { memoryBackplane, redisBackplane, type Backplane } from '../../../test/helpers/backplanes.js';
import { countPublishes, type Publish } from '../../../test/helpers/counting-adapter.js';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { sleep, waitFor } from '../../../test/helpers/wait.js';

/** The members a raw client sees in one room, replayed from that room's snapshots and diffs. */
function membersIn(client: RawClient, room: string): Map<string, unknown> {
  const members = new Map<string, unknown>();
  for (const m of client.messages) {
    if ((m.type !== 'presence.snapshot' && m.type !== 'presence.diff') || m.room !== room) continue;
    if (m.type === 'presence.snapshot') for (const member of m.members) members.set(member.id, member.state);
    if (m.type !== 'presence.diff') continue;
    for (const member of m.joins ?? []) members.set(member.id, member.state);
    for (const { id, state } of m.updates ?? []) if (members.has(id)) members.set(id, state);
    for (const { id } of m.leaves ?? []) members.delete(id);
  }
  return members;
}

const isSync = (p: Publish) => p.kind.startsWith('presence.');

/** Waits until no sync message was published for `quietMs` (what a node start sets off has died down). */
async function settled(log: Publish[], quietMs: number): Promise<void> {
  let count = -1;
  while (count !== log.filter(isSync).length) {
    count = log.filter(isSync).length;
    await sleep(quietMs);
  }
}

function interestSuite(makeBackplane: () => Promise<Backplane>, timing: HubOptions) {
  let backplane: Backplane;
  const log: Publish[] = [];

  async function node(nodeId: string, options: HubOptions = {}): Promise<RunningHub> {
    const adapter = countPublishes(await backplane.adapter(nodeId), nodeId, log);
    const running = await startHub({ ...timing, ...options, adapter, nodeId });
    running.hub.on('error', () => undefined); // partitions make the backplane fail on purpose
    return running;
  }

  it('a node start costs sync messages for the rooms it shares, not for every room on every node', async () => {
    backplane = await makeBackplane();
    log.length = 0;
    const limits = { limits: { maxRooms: 256 } };
    const nodes = [await node('n0', limits), await node('n1', limits), await node('n2', limits)];
    const rooms = Array.from({ length: 200 }, (_, i) => `r${i}`);
    const shared = rooms.slice(0, 8);
    // Every node has a member in each shared room; every other room lives on one node only.
    const owners = await Promise.all(nodes.map((n) => RawClient.welcomed(n.url)));
    rooms.forEach((room, i) => {
      const on = i < shared.length ? owners : [owners[i % owners.length]!];
      for (const { client } of on) client.send({ type: 'presence.track', room, state: { room } });
    });
    for (const { client } of owners) {
      await waitFor(() => shared.every((room) => membersIn(client, room).size === 2), 10_000, 'the shared rooms to sync');
    }
    await settled(log, 300);

    const before = log.length;
    const late = await node('n3', limits);
    const { client: newcomer } = await RawClient.welcomed(late.url);
    for (const room of shared) newcomer.send({ type: 'presence.track', room, state: { late: true } });
    await waitFor(() => shared.every((room) => membersIn(newcomer, room).size === 3), 10_000, 'the newcomer to see the shared rooms');
    for (const { client } of owners) {
      await waitFor(() => shared.every((room) => membersIn(client, room).size === 3), 10_000, 'the others to see the newcomer');
    }
    await settled(log, 300);

    const syncs = log.slice(before).filter(isSync);
    const onLocalRooms = syncs.filter((p) => !shared.some((room) => p.channel === `ghost:presence:${room}`) && p.channel.startsWith('ghost:presence:'));
    console.info(`node start: ${syncs.length} sync messages (${onLocalRooms.length} on rooms the new node does not share), ${shared.length} shared rooms, ${rooms.length} rooms, 4 nodes`);
    expect(onLocalRooms).toEqual([]);
    expect(syncs.length).toBeLessThanOrEqual(2 * 4 * shared.length);
  }, 60_000);
}

describe('presence interest on a memory bus', () => interestSuite(async () => memoryBackplane(), { tickMs: 10, nodeHeartbeatMs: 50, nodeTimeoutMs: 250 }));

describeIfRedis('presence interest on a redis-server', () => {
  const redis = useRedisServer();
  interestSuite(() => redisBackplane(redis), { tickMs: 10, nodeHeartbeatMs: 100, nodeTimeoutMs: 500 });
});
