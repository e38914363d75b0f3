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

  /** A room's presence envelopes (changes) that `node` put on the bus. */
  const changesFrom = (node: string, room: string) => log.filter((p) => p.node === node && p.kind === 'presence' && p.channel === `ghost:presence:${room}`).length;

  /** Moves `mover` `rounds` times, each seen by `watcher` (so the ticks that carry them have run). */
  async function move(mover: { client: RawClient; id: string }, watcher: RawClient, room: string, rounds: number, tag: string) {
    for (let round = 0; round < rounds; round++) {
      const state = { tag, round };
      mover.client.send({ type: 'presence.track', room, state });
      await waitFor(() => JSON.stringify(membersIn(watcher, room).get(mover.id)) === JSON.stringify(state), 5000, `${tag} move ${round}`);
    }
  }

  it('a room whose members all sit on one node costs no bus traffic; a watcher elsewhere gets a full list, then changes, until it leaves', async () => {
    backplane = await makeBackplane();
    log.length = 0;
    const [a, b] = [await node('n0'), await node('n1')];
    const members = await Promise.all([0, 1, 2].map(() => RawClient.welcomed(a.url)));
    members.forEach(({ client }, i) => client.send({ type: 'presence.track', room: 'solo', state: { i } }));
    await waitFor(() => membersIn(members[0]!.client, 'solo').size === 2, 3000, 'the members to see each other');
    await move(members[1]!, members[0]!.client, 'solo', 5, 'alone');
    expect(changesFrom('n0', 'solo')).toBe(0);

    // A watcher on the other node: the members that joined before it, then their moves.
    const { client: watcher } = await RawClient.welcomed(b.url);
    watcher.send({ type: 'presence.join', room: 'solo' });
    await waitFor(() => membersIn(watcher, 'solo').size === 3, 3000, 'the full list on the other node');
    expect(membersIn(watcher, 'solo').get(members[2]!.id)).toEqual({ i: 2 });
    await move(members[1]!, watcher, 'solo', 3, 'watched');
    expect(changesFrom('n0', 'solo')).toBeGreaterThan(0);

    // It leaves: once the other node heard so, the room is quiet again.
    watcher.send({ type: 'presence.leave', room: 'solo' });
    let round = 0;
    for (let sent = -1; sent !== changesFrom('n0', 'solo') && round < 20; round++) {
      sent = changesFrom('n0', 'solo');
      await move(members[1]!, members[0]!.client, 'solo', 1, `after-${round}`);
    }
    const quiet = changesFrom('n0', 'solo');
    await move(members[1]!, members[0]!.client, 'solo', 5, 'alone again');
    expect(changesFrom('n0', 'solo')).toBe(quiet);

    // Back again: what moved meanwhile arrives in the full list, and the numbering shows no gap (no sync asked).
    watcher.send({ type: 'presence.join', room: 'solo' });
    await waitFor(() => JSON.stringify(membersIn(watcher, 'solo').get(members[1]!.id)) === JSON.stringify({ tag: 'alone again', round: 4 }), 3000, 'the newest state');
    await move(members[2]!, watcher, 'solo', 3, 'watched again');
    expect(log.filter((p) => p.kind === 'presence.sync')).toEqual([]);
  }, 30_000);

  it('a member who joins just before a watcher appears on another node is not missed', async () => {
    backplane = await makeBackplane();
    log.length = 0;
    const [a, b] = [await node('n0'), await node('n1')];
    const member = await RawClient.welcomed(a.url);
    const { client: watcher } = await RawClient.welcomed(b.url);
    const rooms = Array.from({ length: 10 }, (_, i) => `race${i}`);
    for (const room of rooms) {
      member.client.send({ type: 'presence.track', room, state: { room } });
      watcher.send({ type: 'presence.join', room });
    }
    for (const room of rooms) await waitFor(() => membersIn(watcher, room).has(member.id), 3000, `the member in ${room}`);
    await move(member, watcher, 'race9', 2, 'moves');
  });

  it('a node that stops answering loses its interest: the others stop sending it the room', async () => {
    backplane = await makeBackplane();
    log.length = 0;
    const [a, b] = [await node('n0'), await node('n1')];
    const members = await Promise.all([0, 1].map(() => RawClient.welcomed(a.url)));
    members.forEach(({ client }, i) => client.send({ type: 'presence.track', room: 'lobby', state: { i } }));
    const remote = await RawClient.welcomed(b.url);
    remote.client.send({ type: 'presence.track', room: 'lobby', state: 'remote' });
    await waitFor(() => membersIn(remote.client, 'lobby').size === 2 && membersIn(members[0]!.client, 'lobby').size === 2, 3000, 'both sides');
    await move(members[1]!, remote.client, 'lobby', 2, 'shared');
    expect(changesFrom('n0', 'lobby')).toBeGreaterThan(0);

    backplane.partition('n1');
    await waitFor(() => !membersIn(members[0]!.client, 'lobby').has(remote.id), 5000, 'the other node to be declared down');
    const sent = changesFrom('n0', 'lobby');
    await move(members[1]!, members[0]!.client, 'lobby', 5, 'alone');
    expect(changesFrom('n0', 'lobby')).toBe(sent);
  });

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
