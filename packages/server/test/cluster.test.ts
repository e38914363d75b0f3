// One cluster suite, run over the memory bus shared in this process and over a real redis-server:
// whatever holds on one backplane must hold on the other.
import { describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter, type HubOptions } from '@ghost/server';
import { channels } from '../src/cluster.js';
import { memoryBackplane, redisBackplane, redisClusterBackplane, type Backplane } from '../../../test/helpers/backplanes.js';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { seenBy } from '../../../test/helpers/presence.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { describeIfRedisCluster, sharedRedisCluster } from '../../../test/helpers/redis-cluster.js';
import { describeIfRedis, useRedisServer } from '../../../test/helpers/redis-server.js';
import { quietFor, waitFor } from '../../../test/helpers/wait.js';

const connect = async (url: string) => (await RawClient.welcomed(url)).client;


const fast = { tickMs: 10, nodeHeartbeatMs: 50, nodeTimeoutMs: 250 };

/** Every state a watcher was shown for a member, in order (joins and updates). */
function statesOf(watcher: RawClient, id: string): unknown[] {
  return watcher.ofType('presence.diff').flatMap((d) => [...(d.joins ?? []), ...(d.updates ?? [])].filter((m) => m.id === id).map((m) => m.state));
}

function clusterSuite(makeBackplane: () => Promise<Backplane>) {
  let backplane: Backplane;
  let nodes: RunningHub[];

  async function cluster(count: number, options: HubOptions = {}) {
    backplane = await makeBackplane();
    nodes = [];
    const floor = backplane.minNodeTimeoutMs ?? 0;
    const timing = options.nodeTimeoutMs !== undefined && options.nodeTimeoutMs < floor ? { nodeTimeoutMs: floor } : {};
    for (let i = 0; i < count; i++) {
      const nodeId = `node${i}`;
      const node = await startHub({ ...options, ...timing, adapter: await backplane.adapter(nodeId), nodeId });
      node.hub.on('error', () => undefined); // partitions make the backplane fail on purpose
      nodes.push(node);
    }
    return backplane;
  }

  async function watcherOn(node: RunningHub) {
    const client = await connect(node.url);
    client.send({ type: 'presence.join', room: 'lobby' });
    await client.next('presence.snapshot');
    return client;
  }

  it('deliver topic messages, broadcasts and direct messages across nodes, once each', async () => {
    await cluster(3);
    const [a, b, c] = await Promise.all(nodes.map((n) => connect(n.url)));
    for (const client of [a!, b!]) {
      client.send({ type: 'topic.subscribe', topic: 'world', ref: 1 });
      await client.next('ack');
    }
    expect(await backplane.subscribers('ghost:topic:{world}')).toBe(2);

    c!.send({ type: 'topic.publish', topic: 'world', data: 'hi', ref: 1 });
    expect(await a!.next('topic.message')).toMatchObject({ data: 'hi' });
    expect(await b!.next('topic.message')).toMatchObject({ data: 'hi' });

    await nodes[1]!.hub.broadcast('all');
    for (const client of [a!, b!, c!]) expect(await client.next('broadcast')).toMatchObject({ data: 'all' });

    const cId = (c!.messages[0] as { id: string }).id;
    await nodes[0]!.hub.sendTo(cId, 'to c');
    expect(await c!.next('direct')).toMatchObject({ data: 'to c' });

    // Once each: a copy would come down the bus before a later message from another node on the same
    // channel (a broadcast from node1 reaches b locally, so node0 sends the one that comes over the bus).
    c!.send({ type: 'topic.publish', topic: 'world', data: 'bye', ref: 2 });
    await nodes[1]!.hub.broadcast('end1');
    await nodes[0]!.hub.broadcast('end0');
    await nodes[0]!.hub.sendTo(cId, 'end');
    const data = (client: RawClient, type: 'topic.message' | 'broadcast' | 'direct') => client.ofType(type).map((m) => m.data);
    for (const client of [a!, b!]) {
      await waitFor(() => data(client, 'topic.message').includes('bye'), 3000, "the topic's later message");
      expect(data(client, 'topic.message')).toEqual(['hi', 'bye']);
    }
    for (const client of [a!, b!, c!]) {
      await waitFor(() => ['end0', 'end1'].every((end) => data(client, 'broadcast').includes(end)), 3000, 'the later broadcasts');
      expect(data(client, 'broadcast').sort()).toEqual(['all', 'end0', 'end1']);
    }
    await waitFor(() => data(c!, 'direct').includes('end'), 3000, 'the later direct message');
    expect(data(c!, 'direct')).toEqual(['to c', 'end']);
    expect(c!.ofType('topic.message')).toEqual([]);
  });

  it('a node subscribes to a topic channel only while it has local subscribers', async () => {
    await cluster(2);
    const a = await connect(nodes[0]!.url);
    a.send({ type: 'topic.subscribe', topic: 'news', ref: 1 });
    await a.next('ack');
    expect(await backplane.subscribers('ghost:topic:{news}')).toBe(1);
    a.send({ type: 'topic.unsubscribe', topic: 'news', ref: 2 });
    await a.next('ack');
    expect(await backplane.subscribers('ghost:topic:{news}')).toBe(0);
  });

  it('a partitioned node still serves its own clients, and rejoins the cluster when healed', async () => {
    await cluster(2);
    const local = await connect(nodes[0]!.url);
    const remote = await connect(nodes[1]!.url);
    for (const client of [local, remote]) {
      client.send({ type: 'topic.subscribe', topic: 't', ref: 1 });
      await client.next('ack');
    }
    backplane.partition('node0');
    await nodes[0]!.hub.publish('t', 'during');
    expect(await local.next('topic.message')).toMatchObject({ data: 'during' });
    // While the cut lasts no message can cross it, so none can serve as a barrier: a window instead,
    // in which a frame that got past the cut would have arrived.
    await quietFor(30);
    expect(remote.ofType('topic.message')).toEqual([]);

    backplane.heal();
    // Published every 200 ms until it gets through: the partitioned node reconnects at its own pace.
    const received = () => remote.ofType('topic.message').map((m) => m.data);
    const publishing = setInterval(() => void nodes[0]!.hub.publish('t', 'after'), 200);
    void nodes[0]!.hub.publish('t', 'after');
    try {
      await waitFor(() => received().includes('after'), 8000, "'after' across the healed bus");
    } finally {
      clearInterval(publishing);
    }
    // What was published during the cut is lost (memory bus) or sent late from the client's queue
    // within its command timeout (Redis); never twice, and the cluster works again.
    expect(received()).toContain('after');
    expect(received().filter((d) => d === 'during').length).toBeLessThanOrEqual(1);
  });

  it('a member on one node is seen joining, moving and leaving on the others', async () => {
    await cluster(3, fast);
    const [b, c] = [await watcherOn(nodes[1]!), await watcherOn(nodes[2]!)];
    const a = await connect(nodes[0]!.url);
    const aId = (a.messages[0] as { id: string }).id;
    a.send({ type: 'presence.track', room: 'lobby', state: { x: 1 } });
    for (const w of [b, c]) expect(await w.next('presence.diff')).toMatchObject({ joins: [{ id: aId, state: { x: 1 } }] });
    a.send({ type: 'presence.track', room: 'lobby', state: { x: 2 } });
    for (const w of [b, c]) expect(await w.next('presence.diff')).toMatchObject({ updates: [{ id: aId, state: { x: 2 } }] });
    a.close(1000);
    for (const w of [b, c]) expect(await w.next('presence.diff')).toMatchObject({ leaves: [{ id: aId, reason: 'left' }] });
  });

  it('a node that joins a room late gets a full sync of the members on the other nodes', async () => {
    await cluster(3, fast);
    const members = [await connect(nodes[0]!.url), await connect(nodes[1]!.url)];
    members.forEach((m, i) => m.send({ type: 'presence.track', room: 'lobby', state: { i } }));
    // Each member sees the other: both are announced on both nodes before the third starts watching.
    await waitFor(() => members.every((m) => seenBy(m).size === 1), 3000, 'the members to see each other');
    const late = await watcherOn(nodes[2]!);
    await waitFor(() => seenBy(late).size === 2, 2000, 'both members');
    expect([...seenBy(late).values()]).toEqual(expect.arrayContaining([{ i: 0 }, { i: 1 }]));
    expect(late.ofType('presence.diff').flatMap((d) => d.leaves ?? [])).toEqual([]);
  });

  it('a node cut off from the bus has its members leave everywhere with "node-down", and come back once healed, without duplicates', async () => {
    await cluster(3, fast);
    const watcher = await watcherOn(nodes[1]!);
    const lost = await connect(nodes[0]!.url);
    const lostId = (lost.messages[0] as { id: string }).id;
    lost.send({ type: 'presence.track', room: 'lobby', state: { here: true } });
    await waitFor(() => seenBy(watcher).has(lostId));

    backplane.partition('node0');
    const leaves = () => watcher.ofType('presence.diff').flatMap((d) => d.leaves ?? []);
    await waitFor(() => leaves().length > 0, 3000, 'the leave');
    expect(leaves()).toEqual([{ id: lostId, reason: 'node-down' }]);

    lost.send({ type: 'presence.track', room: 'lobby', state: { here: 'again' } });
    backplane.heal();
    // A cluster client reconnects its subscribers with a backoff (up to 2.5 s after repeated failures),
    // then refreshes its slot map, before the node is heard again.
    await waitFor(() => seenBy(watcher).get(lostId) !== undefined, 3000 + 2 * (backplane.minNodeTimeoutMs ?? 0), 'the member to come back');
    expect(seenBy(watcher).get(lostId)).toEqual({ here: 'again' });
    // A later move of the member comes from node0 on the room's channel after anything node0 sent
    // before it: a second return, or an older state, would show before (or with) it.
    lost.send({ type: 'presence.track', room: 'lobby', state: { here: 'later' } });
    await waitFor(() => JSON.stringify(seenBy(watcher).get(lostId)) === '{"here":"later"}', 3000, 'the later move');
    const joinsOfLost = watcher.ofType('presence.diff').flatMap((d) => d.joins ?? []).filter((m) => m.id === lostId);
    expect(joinsOfLost).toHaveLength(2); // the first join, and the return: never twice at once
    expect(statesOf(watcher, lostId).slice(1).map((state) => JSON.stringify(state))).not.toContain('{"here":true}');
    expect([...seenBy(watcher).keys()]).toEqual([lostId]);
  });

  // Keyed by user, each node holds a share of a member whose user has a tab there: one member, which
  // shows the newest share's state and leaves only with the last share.
  const byUser: HubOptions = {
    ...fast,
    presenceKey: 'user',
    authenticate: (request) => ({ id: new URL(request.url!, 'http://x').searchParams.get('user')! }),
  };
  const as = async (node: RunningHub, user: string) => (await RawClient.welcomed(node.url, `?user=${user}`)).client;
  const leavesOf = (watcher: RawClient, id: string) => watcher.ofType('presence.diff').flatMap((d) => d.leaves ?? []).filter((l) => l.id === id);
  const joinsOf = (watcher: RawClient, id: string) => watcher.ofType('presence.diff').flatMap((d) => d.joins ?? []).filter((m) => m.id === id);

  it('keyed by user, tabs on two nodes are one member: closing one tab shows the other, only the last is a leave', async () => {
    await cluster(3, byUser);
    const watchers: RawClient[] = [];
    for (const [i, node] of [nodes[0]!, nodes[2]!].entries()) {
      const watcher = await as(node, `watcher${i}`);
      watcher.send({ type: 'presence.join', room: 'lobby' });
      await watcher.next('presence.snapshot');
      watchers.push(watcher);
    }
    const seesAda = (state: unknown) => watchers.every((w) => JSON.stringify(seenBy(w).get('ada')) === JSON.stringify(state));
    const tabA = await as(nodes[0]!, 'ada');
    const tabB = await as(nodes[1]!, 'ada');
    tabB.send({ type: 'presence.track', room: 'lobby', state: { tab: 'B' } });
    await waitFor(() => seesAda({ tab: 'B' }), 3000, "tab B's state");
    tabA.send({ type: 'presence.track', room: 'lobby', state: { tab: 'A' } });
    await waitFor(() => seesAda({ tab: 'A' }), 3000, "tab A's state, the newest");
    for (const w of watchers) expect([...seenBy(w).keys()]).toEqual(['ada']);

    tabA.close(1000);
    await waitFor(() => seesAda({ tab: 'B' }), 3000, "tab B's state once tab A is closed");
    tabB.send({ type: 'presence.track', room: 'lobby', state: { tab: 'B2' } });
    await waitFor(() => seesAda({ tab: 'B2' }), 3000, 'a move of tab B');
    for (const w of watchers) expect(leavesOf(w, 'ada')).toEqual([]);

    tabB.close(1000);
    await waitFor(() => watchers.every((w) => !seenBy(w).has('ada')), 3000, 'the leave');
    for (const w of watchers) {
      expect(leavesOf(w, 'ada')).toEqual([{ id: 'ada', reason: 'left' }]);
      expect(joinsOf(w, 'ada')).toHaveLength(1);
    }
  });

  it('keyed by user, a node that goes down takes only its share of a member: no leave while a tab on another node tracks', async () => {
    await cluster(3, byUser);
    const watcher = await as(nodes[2]!, 'watcher');
    watcher.send({ type: 'presence.join', room: 'lobby' });
    await watcher.next('presence.snapshot');
    const tabB = await as(nodes[1]!, 'ada');
    tabB.send({ type: 'presence.track', room: 'lobby', state: 'B' });
    await waitFor(() => seenBy(watcher).get('ada') === 'B', 3000, "tab B's state");
    const tabA = await as(nodes[0]!, 'ada');
    tabA.send({ type: 'presence.track', room: 'lobby', state: 'A' });
    await waitFor(() => seenBy(watcher).get('ada') === 'A', 3000, "tab A's state, the newest");

    backplane.partition('node0');
    await waitFor(() => seenBy(watcher).get('ada') === 'B', 3000, "tab B's state once node0 is down");
    backplane.heal();
    await waitFor(() => seenBy(watcher).get('ada') === 'A', 3000, "tab A's state once node0 is back");
    expect(leavesOf(watcher, 'ada')).toEqual([]);
    expect(joinsOf(watcher, 'ada')).toHaveLength(1);
  });

  it('a missed envelope is repaired: the next one shows the gap and a full list follows', async () => {
    // The cut must stay shorter than the node timeout, reconnect included, even on a loaded machine
    // (at 250 ms node0 was once declared down); nothing here waits for the timeout.
    await cluster(2, { ...fast, nodeTimeoutMs: 2000 });
    const watcher = await watcherOn(nodes[1]!);
    const a = await connect(nodes[0]!.url);
    const b = await connect(nodes[0]!.url);
    const bId = (b.messages[0] as { id: string }).id;
    a.send({ type: 'presence.track', room: 'lobby', state: 'a' });
    b.send({ type: 'presence.track', room: 'lobby', state: 'b' });
    await waitFor(() => seenBy(watcher).size === 2 && seenBy(a).has(bId), 3000, 'both members on both nodes');
    // A partition shorter than the node timeout: nobody is declared down, but b's leave is lost.
    backplane.partition('node0');
    b.close(1000);
    // a, on node0 too, sees b leave: node0's tick has sent (and lost) the envelope with b's leave.
    await waitFor(() => !seenBy(a).has(bId), 3000, "b's leave on node0");
    backplane.heal();
    a.send({ type: 'presence.track', room: 'lobby', state: 'a2' });
    await waitFor(() => !seenBy(watcher).has(bId), 3000, "b's leave to be repaired");
    expect(seenBy(watcher).get((a.messages[0] as { id: string }).id)).toBe('a2');
  });
}

describe('hubs sharing a memory bus', () => clusterSuite(async () => memoryBackplane()));

describeIfRedis('hubs sharing a redis-server, each through its own proxy', () => {
  const redis = useRedisServer();
  clusterSuite(() => redisBackplane(redis));
});

describeIfRedisCluster('hubs sharing a Redis Cluster (sharded pub/sub), each through its own proxies', () => {
  clusterSuite(() => redisClusterBackplane(sharedRedisCluster()));
});

describe('presence traffic on the bus', () => {
  const nodes: RunningHub[] = [];
  it('sends one bus message per room per tick, however many members move', async () => {
    const bus = createMemoryBus();
    const published: string[] = [];
    const spy = memoryAdapter({ bus });
    const publish = spy.publish.bind(spy);
    spy.publish = async (channel, frame) => {
      if (channel === channels.presence('ghost', 'lobby') && frame.includes('"kind":"presence"')) published.push(frame);
      return publish(channel, frame);
    };
    nodes.push(await startHub({ ...fast, tickMs: 100, adapter: spy, nodeId: 'busy' }));
    nodes.push(await startHub({ ...fast, adapter: memoryAdapter({ bus }), nodeId: 'other' }));
    // Someone on the other node watches: without that, the busy node sends nothing at all.
    const watcher = await connect(nodes[1]!.url);
    watcher.send({ type: 'presence.join', room: 'lobby' });
    await watcher.next('presence.snapshot');
    const crowd = await Promise.all(Array.from({ length: 20 }, () => connect(nodes[0]!.url)));
    crowd.forEach((c, i) => c.send({ type: 'presence.track', room: 'lobby', state: { i } }));
    await waitFor(() => seenBy(watcher).size === 20, 3000, 'the crowd on the other node');
    published.length = 0;
    for (let round = 0; round < 5; round++) crowd.forEach((c, i) => c.send({ type: 'presence.track', room: 'lobby', state: { i, round } }));
    // The envelope holding the last round is the last one the moves cause: every earlier one was published before it.
    await waitFor(() => [...seenBy(watcher).values()].every((state) => (state as { round?: number }).round === 4), 3000, 'the last round on the other node');
    expect(published.length).toBeGreaterThanOrEqual(1);
    expect(published.length).toBeLessThanOrEqual(3);
  });});

describe('a hub alone on its memory bus', () => {
  async function watcherOn(node: RunningHub) {
    const client = await connect(node.url);
    client.send({ type: 'presence.join', room: 'lobby' });
    await client.next('presence.snapshot');
    return client;
  }

  it('hands nothing to the bus while no other hub listens, serves its clients all the same, and publishes once another hub subscribes', async () => {
    const bus = createMemoryBus();
    const kinds: string[] = [];
    const adapter = memoryAdapter({ bus });
    const publish = adapter.publish.bind(adapter);
    adapter.publish = (channel, frame) => {
      kinds.push(/"kind":"([^"]+)"/.exec(frame)?.[1] ?? '');
      return publish(channel, frame);
    };
    const a = await startHub({ ...fast, adapter, nodeId: 'alone' });
    const [reader, writer, watcher] = [await connect(a.url), await connect(a.url), await watcherOn(a)];
    reader.send({ type: 'topic.subscribe', topic: 'world', ref: 1 });
    await reader.next('ack');
    writer.send({ type: 'topic.publish', topic: 'world', data: 'hi', ref: 2 });
    expect(await reader.next('topic.message')).toMatchObject({ data: 'hi' });
    writer.send({ type: 'presence.track', room: 'lobby', state: { x: 1 } });
    expect(await watcher.next('presence.diff')).toMatchObject({ joins: [{ state: { x: 1 } }] });
    expect(kinds).toEqual([]); // no heartbeat, topic or presence envelope: nobody could read it

    // A second hub on the bus: heard at once, no warm-up, both ways.
    const b = await startHub({ ...fast, adapter: memoryAdapter({ bus }), nodeId: 'second' });
    const [remoteReader, remoteWatcher] = [await connect(b.url), await watcherOn(b)];
    remoteReader.send({ type: 'topic.subscribe', topic: 'world', ref: 1 });
    await remoteReader.next('ack');
    writer.send({ type: 'topic.publish', topic: 'world', data: 'to both', ref: 4 });
    expect(await remoteReader.next('topic.message')).toMatchObject({ data: 'to both' });
    expect(await reader.next('topic.message')).toMatchObject({ data: 'to both' });
    writer.send({ type: 'presence.track', room: 'lobby', state: { x: 2 } });
    await waitFor(() => [...seenBy(remoteWatcher, 'lobby').values()].some((state) => (state as { x?: number }).x === 2), 3000, 'the move on the second hub');
    expect(kinds).toContain('topic');
    await Promise.all([a.close(), b.close()]);
  });
});
