// Presence traffic between nodes follows interest: a node sends a room's changes only while another
// node has watchers there, and a node joining the cluster costs sync messages for the rooms it
// shares, not for every room. Counted on the memory bus and on a real redis-server.
import { describe, expect, it } from 'vitest';
import type { Adapter, HubOptions } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { channels } from '../src/cluster.js';
import { memoryBackplane, redisBackplane, type Backplane } from '../../../test/helpers/backplanes.js';
import { countPublishes, type Publish } from '../../../test/helpers/counting-adapter.js';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { seenBy } from '../../../test/helpers/presence.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { sleep, waitFor } from '../../../test/helpers/wait.js';

/** Moves `mover` `rounds` times, each seen by `watcher` (so the ticks that carry them have run). */
async function move(mover: { client: RawClient; id: string }, watcher: RawClient, room: string, rounds: number, tag: string) {
  for (let round = 0; round < rounds; round++) {
    const state = { tag, round };
    mover.client.send({ type: 'presence.track', room, state });
    await waitFor(() => JSON.stringify(seenBy(watcher, room).get(mover.id)) === JSON.stringify(state), 5000, `${tag} move ${round}`);
  }
}

/**
 * A publish (by its envelope's kind) or an `unsubscribe` as it settled: done (`ok`), or given up; or
 * publishes the adapter found lost after `publish` resolved (`kind` 'lost': Redis's publishing link
 * reads answers later). `at`: when, in ms since the epoch.
 */
interface Outcome extends Publish {
  ok: boolean;
  at: number;
}

/** The Redis adapter's command timeout: a publish it holds is sent or given up within it. */
const COMMAND_TIMEOUT_MS = 1500;

/** Lets `adapter` publish and unsubscribe as it does and writes down how each call settled. */
function recordOutcomes(adapter: Adapter, node: string, outcomes: Outcome[]): Adapter {
  const record = async (channel: string, kind: string, call: Promise<void>) => {
    try {
      await call;
      outcomes.push({ node, channel, kind, ok: true, at: Date.now() });
    } catch (error) {
      outcomes.push({ node, channel, kind, ok: false, at: Date.now() });
      throw error;
    }
  };
  const start = adapter.start.bind(adapter);
  adapter.start = (context) => start({
    ...context,
    onPublishLost: (count, error) => {
      outcomes.push({ node, channel: '', kind: 'lost', ok: false, at: Date.now() });
      context.onPublishLost?.(count, error);
    },
  });
  const publish = adapter.publish.bind(adapter);
  const unsubscribe = adapter.unsubscribe.bind(adapter);
  adapter.publish = (channel, frame) => record(channel, /"kind":"([^"]+)"/.exec(frame)?.[1] ?? '', publish(channel, frame));
  adapter.unsubscribe = (channel) => record(channel, 'unsubscribe', unsubscribe(channel));
  return adapter;
}

/** The bus channel of a presence room, as the hub names it. */
const presenceChannel = (room: string) => channels.presence('ghost', room);

/** A room's presence envelopes (changes) that `node` put on the bus. */
const changesOf = (log: Publish[], node: string, room: string) =>
  log.filter((p) => p.node === node && p.kind === 'presence' && p.channel === presenceChannel(room)).length;

const isSync = (p: Publish) => p.kind.startsWith('presence.');

/**
 * Waits until no sync message was published for `quietMs`. A window, not an event: what it ends is the
 * absence of further messages, which the node start test asserts.
 */
async function syncQuietFor(log: Publish[], quietMs: number): Promise<void> {
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

  const changesFrom = (node: string, room: string) => changesOf(log, node, room);

  it('a room whose members all sit on one node costs no bus traffic; a watcher elsewhere gets a full list, then changes, until it leaves', async () => {
    backplane = await makeBackplane();
    log.length = 0;
    const [a, b] = [await node('n0'), await node('n1')];
    const members = await Promise.all([0, 1, 2].map(() => RawClient.welcomed(a.url)));
    members.forEach(({ client }, i) => client.send({ type: 'presence.track', room: 'solo', state: { i } }));
    await waitFor(() => seenBy(members[0]!.client, 'solo').size === 2, 3000, 'the members to see each other');
    const onRoom = () => log.filter((p) => p.channel === presenceChannel('solo')).length;
    // The room's hello goes out once its channel is subscribed, which on Redis can come after the members see each other.
    await waitFor(() => log.some((p) => p.node === 'n0' && p.kind === 'presence.interest' && p.channel === presenceChannel('solo')), 3000, 'the room\'s hello');
    const hello = onRoom();
    await move(members[1]!, members[0]!.client, 'solo', 5, 'alone');
    expect(changesFrom('n0', 'solo')).toBe(0);
    expect(onRoom()).toBe(hello);

    // A watcher on the other node: the members that joined before it, then their moves.
    const { client: watcher } = await RawClient.welcomed(b.url);
    watcher.send({ type: 'presence.join', room: 'solo' });
    await waitFor(() => seenBy(watcher, 'solo').size === 3, 3000, 'the full list on the other node');
    expect(seenBy(watcher, 'solo').get(members[2]!.id)).toEqual({ i: 2 });
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
    await waitFor(() => JSON.stringify(seenBy(watcher, 'solo').get(members[1]!.id)) === JSON.stringify({ tag: 'alone again', round: 4 }), 3000, 'the newest state');
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
    for (const room of rooms) await waitFor(() => seenBy(watcher, room).has(member.id), 3000, `the member in ${room}`);
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
    await waitFor(() => seenBy(remote.client, 'lobby').size === 2 && seenBy(members[0]!.client, 'lobby').size === 2, 3000, 'both sides');
    await move(members[1]!, remote.client, 'lobby', 2, 'shared');
    expect(changesFrom('n0', 'lobby')).toBeGreaterThan(0);

    backplane.partition('n1');
    await waitFor(() => !seenBy(members[0]!.client, 'lobby').has(remote.id), 5000, 'the other node to be declared down');
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
      await waitFor(() => shared.every((room) => seenBy(client, room).size === 2), 10_000, 'the shared rooms to sync');
    }
    // A room's hello waits for its channel (on Redis it can come last); the answers are what the owners saw.
    const onRooms = rooms.map((room, i) => ({ channel: presenceChannel(room), nodes: i < shared.length ? ['n0', 'n1', 'n2'] : [`n${i % owners.length}`] }));
    await waitFor(() => {
      const greeted = new Set(log.filter((p) => p.kind === 'presence.interest').map((p) => `${p.node} ${p.channel}`));
      return onRooms.every(({ channel, nodes }) => nodes.every((node) => greeted.has(`${node} ${channel}`)));
    }, 10_000, "every room's hello");

    const before = log.length;
    const late = await node('n3', limits);
    const { client: newcomer } = await RawClient.welcomed(late.url);
    for (const room of shared) newcomer.send({ type: 'presence.track', room, state: { late: true } });
    await waitFor(() => shared.every((room) => seenBy(newcomer, room).size === 3), 10_000, 'the newcomer to see the shared rooms');
    for (const { client } of owners) {
      await waitFor(() => shared.every((room) => seenBy(client, room).size === 3), 10_000, 'the others to see the newcomer');
    }
    await syncQuietFor(log, 300); // whatever the start still sets off is counted below

    const syncs = log.slice(before).filter(isSync);
    const localChannels = new Set(rooms.slice(shared.length).map(presenceChannel));
    const onLocalRooms = syncs.filter((p) => localChannels.has(p.channel));
    console.info(`node start: ${syncs.length} sync messages (${onLocalRooms.length} on rooms the new node does not share), ${shared.length} shared rooms, ${rooms.length} rooms, 4 nodes`);
    expect(onLocalRooms).toEqual([]);
    expect(syncs.length).toBeLessThanOrEqual(2 * 4 * shared.length);
  }, 60_000);
}

describe('presence interest on a memory bus', () => interestSuite(async () => memoryBackplane(), { tickMs: 10, nodeHeartbeatMs: 50, nodeTimeoutMs: 250 }));

describeIfRedis('presence interest on a redis-server', () => {
  const redis = useRedisServer();
  interestSuite(() => redisBackplane(redis), { tickMs: 10, nodeHeartbeatMs: 100, nodeTimeoutMs: 500 });

  describe('a short cut of one node from Redis (shorter than the node timeout)', () => {
    const log: Publish[] = [];
    /** How each publish and unsubscribe settled (`log` has the publishes as they were handed over). */
    const outcomes: Outcome[] = [];
    async function pair() {
      log.length = 0;
      outcomes.length = 0;
      const backplane = await redisBackplane(redis);
      const node = async (nodeId: string) => {
        const adapter = countPublishes(recordOutcomes(await backplane.adapter(nodeId), nodeId, outcomes), nodeId, log);
        const running = await startHub({ tickMs: 10, nodeHeartbeatMs: 100, nodeTimeoutMs: 5000, nodeId, adapter });
        running.hub.on('error', () => undefined); // the cut makes the link fail on purpose
        return running;
      };
      return { backplane, a: await node('s0'), b: await node('s1') };
    }
    /**
     * Whether a room's announcement by `node` was handed to the bus (`true`: the Redis adapter's publish
     * resolves once written) or refused (`false`).
     */
    const announced = (node: string, room: string, ok: boolean) =>
      outcomes.some((o) => o.node === node && o.kind === 'presence.interest' && o.channel === presenceChannel(room) && o.ok === ok);
    /**
     * Whether `node`'s announcement in `room`, made while it is cut off, is lost for certain: refused,
     * or handed over and then held longer than the adapter holds a publish, with losses reported since.
     */
    const lostForSure = (node: string, room: string) => {
      if (announced(node, room, false)) return true;
      const handed = outcomes.filter((o) => o.node === node && o.kind === 'presence.interest' && o.channel === presenceChannel(room)).at(-1);
      return handed !== undefined && Date.now() - handed.at > 2 * COMMAND_TIMEOUT_MS &&
        outcomes.some((o) => o.node === node && o.kind === 'lost' && o.at > handed.at);
    };
    /**
     * Cuts `nodeId` off until `meanwhile` has seen to what must happen during the cut, then heals it and
     * waits until its hub said hello again: its subscriber link is back (its command link may still be
     * reconnecting, so what it said may not have reached anyone yet).
     */
    async function cut(backplane: Backplane, nodeId: string, meanwhile: () => Promise<void>) {
      const hellos = () => log.filter((p) => p.node === nodeId && p.kind === 'presence.interest').length;
      backplane.partition(nodeId);
      await meanwhile();
      const before = hellos();
      backplane.heal();
      await waitFor(() => hellos() > before, 10_000, `${nodeId} to be back on the bus`);
    }

    it("a room taken up elsewhere during the cut reaches the cut node's watchers once it is back", async () => {
      const { backplane, a, b } = await pair();
      const { client: watcher } = await RawClient.welcomed(b.url);
      watcher.send({ type: 'presence.join', room: 'lobby' });
      await watcher.next('presence.snapshot');
      await waitFor(async () => (await backplane.subscribers(presenceChannel('lobby'))) === 1, 3000, "the watcher's node on the channel");
      const member = await RawClient.welcomed(a.url);
      await cut(backplane, 's1', async () => {
        member.client.send({ type: 'presence.track', room: 'lobby', state: { step: 0 } });
        // s0's hello went out while s1 was off the channel (s0's link is up: Redis has it long before s1's
        // reconnect backoff ends), so s1 missed it.
        await waitFor(() => announced('s0', 'lobby', true), 3000, "s0's hello, handed to the bus");
      });
      await waitFor(() => seenBy(watcher, 'lobby').has(member.id), 5000, 'the member after the cut');
      await move(member, watcher, 'lobby', 2, 'after the cut');
    });

    /** Two members of 'lobby' on the first node, and a watcher on the second that sees both. */
    async function lobbyWatchedAcross(memberUrl: string, watcherUrl: string) {
      const members = await Promise.all([0, 1].map(() => RawClient.welcomed(memberUrl)));
      members.forEach(({ client }, i) => client.send({ type: 'presence.track', room: 'lobby', state: { i } }));
      const { client: watcher } = await RawClient.welcomed(watcherUrl);
      watcher.send({ type: 'presence.join', room: 'lobby' });
      await waitFor(() => seenBy(watcher, 'lobby').size === 2, 3000, 'the watcher to see both');
      return { members, watcher };
    }

    it('a room the cut node left during the cut stops costing the others once it is back', async () => {
      const { backplane, a, b } = await pair();
      const { members, watcher } = await lobbyWatchedAcross(a.url, b.url);
      await move(members[1]!, watcher, 'lobby', 1, 'watched');
      expect(changesOf(log, 's0', 'lobby')).toBeGreaterThan(0);
      await cut(backplane, 's1', async () => {
        watcher.send({ type: 'presence.leave', room: 'lobby' });
        // The adapter gave the goodbye up, so for the hub it is lost: it must say it again once back.
        await waitFor(() => lostForSure('s1', 'lobby'), 6000, "s1's goodbye, given up");
      });
      // The goodbye said again may wait for s1's command link, which reconnects on a backoff of its own.
      // A barrier, not a count of quiet moves: s1 publishes through one connection and s0 reads through
      // one, in order, so once s0 has s1's member in a room s1 took up after, it has read the goodbye.
      const marker = await RawClient.welcomed(b.url);
      marker.client.send({ type: 'presence.track', room: 'mark', state: 'after the goodbye' });
      members[0]!.client.send({ type: 'presence.join', room: 'mark' });
      await waitFor(() => seenBy(members[0]!.client, 'mark').has(marker.id), 10_000, "s1's member in a room taken up after its goodbye");
      const sent = () => changesOf(log, 's0', 'lobby');
      const quiet = sent();
      await move(members[1]!, members[0]!.client, 'lobby', 5, 'alone');
      expect(sent()).toBe(quiet);
    });

    it('a room the cut node left during the cut, joined there again once it is back, hears the others', async () => {
      const { backplane, a, b } = await pair();
      const { members, watcher } = await lobbyWatchedAcross(a.url, b.url);
      await cut(backplane, 's1', async () => {
        watcher.send({ type: 'presence.leave', room: 'lobby' });
        // Its UNSUBSCRIBE times out; ioredis still sends it once the link is back.
        const failed = () => outcomes.some((o) => o.node === 's1' && o.kind === 'unsubscribe' && o.channel === presenceChannel('lobby') && !o.ok);
        await waitFor(failed, 5000, "s1's unsubscribe from the room, failed");
      });
      const { client: again } = await RawClient.welcomed(b.url);
      again.send({ type: 'presence.join', room: 'lobby' });
      await waitFor(() => seenBy(again, 'lobby').size === 2, 5000, 'the members, seen from the room joined again');
      await move(members[1]!, again, 'lobby', 2, 'joined again');
    });
  });

  it("a watcher that arrives while Redis is down gets the other node's members, then their moves, once it is back", async () => {
    const node = async (nodeId: string) => {
      const running = await startHub({ tickMs: 10, nodeHeartbeatMs: 100, nodeTimeoutMs: 500, nodeId, adapter: redisAdapter({ url: redis.url }) });
      running.hub.on('error', () => undefined); // Redis goes down on purpose
      return running;
    };
    const [a, b] = [await node('r0'), await node('r1')];
    const member = await RawClient.welcomed(a.url);
    member.client.send({ type: 'presence.track', room: 'lobby', state: { step: 0 } });
    await member.client.next('presence.snapshot');

    await redis.kill();
    const { client: watcher } = await RawClient.welcomed(b.url);
    watcher.send({ type: 'presence.join', room: 'lobby' }); // its announcement cannot reach anyone now
    await watcher.next('presence.snapshot');
    await redis.restart();

    await waitFor(() => seenBy(watcher, 'lobby').has(member.id), 8000, 'the member after the outage');
    await move(member, watcher, 'lobby', 3, 'after the outage');
  }, 20_000);
});
