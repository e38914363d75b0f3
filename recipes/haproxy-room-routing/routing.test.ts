// The recipe end to end: a real redis-server, three hub processes (hub.ts), HAProxy from Debian on the
// recipe's own config, and Ghost clients that name their room in the URL (client.ts).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GhostClient, PresenceHandle } from '@ghost/client';
import { closeAfterTest } from '../../test/helpers/cleanup.js';
import { describeIfHaproxy, startHaproxy } from '../../test/helpers/haproxy.js';
import { spawnHubNode, type HubProcess } from '../../test/helpers/hub-process.js';
import { describeIfRedis, freePort, useRedisServer } from '../../test/helpers/redis-server.js';
import { sleep, waitFor } from '../../test/helpers/wait.js';
import { connectToRoom } from './client.js';
import { EXAMPLE, haproxyConfig } from './haproxy-config.js';

const ROOMS = ['design-review', 'standup', 'retro', 'planning'];
const PER_ROOM = 5;
const NODE_IDS = ['hub-a', 'hub-b', 'hub-c'];
const TOKEN = randomBytes(24).toString('hex');
// Three processes, HAProxy and 20 clients on two shared cores, and the wait for node-down.
const SLOW = 60_000;

/** One person in one room, and what they went through. */
interface Member {
  room: string;
  name: string;
  client: GhostClient;
  presence: PresenceHandle;
  /** Every leave they saw, as `id reason`. */
  leaves: string[];
  /** Every status after the first `open`. */
  statuses: string[];
  /** Ids of `gone` they saw among the others while connected as someone new: ghosts. */
  ghosts: string[];
  /** Their id before their node went away. */
  oldId?: string;
}

/** Member ids whose node went away; filled in by the test just before it stops the node. */
const gone = new Set<string>();

interface Cluster {
  /** The node processes by node id. */
  nodes: Map<string, HubProcess>;
  /** HAProxy's address: ws://…/ghost for clients, http://…/ghost-admin for the ops API. */
  lb: string;
  /** What HAProxy printed (servers going down and up), for failure messages. */
  haproxy: string[];
}

async function startCluster(redisUrl: string): Promise<Cluster> {
  const hubUrl = new URL('./hub.ts', import.meta.url);
  const env = { PORT: '0', HOST: '127.0.0.1', GHOST_API_TOKEN: TOKEN };
  const started = await Promise.all(NODE_IDS.map((id) => spawnHubNode(redisUrl, id, env, hubUrl)));
  const port = await freePort();
  // The recipe's own health checks (every 2 s): failover does not wait for them, since the first
  // refused connection takes a node out. Faster checks (200 ms) time out now and then on a busy
  // machine, and a live node marked down for a moment splits its rooms.
  const haproxy = await startHaproxy(haproxyConfig({
    bind: `127.0.0.1:${port}`,
    hubs: started.map((node, index) => ({ id: index + 1, address: `127.0.0.1:${node.port}` })),
  }), port);
  const nodes = new Map(NODE_IDS.map((id, index) => [id, started[index]!]));
  await eachNodeKnows(nodes, NODE_IDS);
  return { nodes, lb: `127.0.0.1:${port}`, haproxy: haproxy.lines };
}

/**
 * Waits until every node in `nodes` counts exactly `expected` as the live nodes of the cluster (it
 * learns them from their heartbeats): before that, a node's cluster-wide answers leave the others out.
 */
async function eachNodeKnows(nodes: Map<string, HubProcess>, expected: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (const [id, { port }] of nodes) {
    for (;;) {
      const { nodes: answered, missing } = (await ops(`127.0.0.1:${port}`, '/stats?scope=cluster')) as { nodes: object; missing: string[] };
      if (missing.length === 0 && JSON.stringify(Object.keys(answered).sort()) === JSON.stringify([...expected].sort())) break;
      if (Date.now() > deadline) throw new Error(`${id} knows ${JSON.stringify(Object.keys(answered))}, missing ${JSON.stringify(missing)}; expected ${JSON.stringify(expected)}`);
      await sleep(50);
    }
  }
}

function joinRooms(cluster: Cluster): Member[] {
  const members: Member[] = [];
  for (const room of ROOMS) {
    for (let i = 1; i <= PER_ROOM; i++) {
      const { client, presence } = connectToRoom(`ws://${cluster.lb}/ghost`, room);
      closeAfterTest(() => client.close());
      const member: Member = { room, name: `${room}/${i}`, client, presence, leaves: [], statuses: [], ghosts: [] };
      presence.track({ name: member.name });
      presence.on('leave', (who, reason) => member.leaves.push(`${who.id} ${reason}`));
      presence.on('change', (others) => {
        if (client.self && !gone.has(client.self.id)) member.ghosts.push(...others.filter((o) => gone.has(o.id)).map((o) => o.id));
      });
      let opened = false;
      client.on('status', (status) => (opened ? member.statuses.push(status) : (opened = status === 'open')));
      members.push(member);
    }
  }
  return members;
}

/** Whether every member of `room` sees exactly the others, with their names, and nobody else. */
function converged(members: Member[], room: string): boolean {
  const inRoom = members.filter((m) => m.room === room);
  if (inRoom.some((m) => !m.client.self)) return false;
  return inRoom.every((me) => {
    const expected = inRoom.filter((m) => m !== me).map((m) => `${m.client.self!.id}=${m.name}`).sort();
    const seen = me.presence.others.map((o) => `${o.id}=${(o.state as { name?: string } | undefined)?.name}`).sort();
    return JSON.stringify(seen) === JSON.stringify(expected);
  });
}

/** GET on the ops API of `host` (HAProxy's address reaches any node). */
/** What each member of `room` sees, for a failure message. */
function views(members: Member[], room: string): string {
  return members.filter((m) => m.room === room).map((m) => `${m.name} ${m.client.status} as ${m.client.self?.id}: ${m.presence.others.map((o) => `${o.id}=${(o.state as { name?: string } | undefined)?.name}`).join(' ')}`).join('\n');
}

/** Waits until every member of `room` sees exactly the others; fails with what each one sees. */
async function convergence(members: Member[], room: string, timeoutMs: number): Promise<void> {
  await waitFor(() => converged(members, room), timeoutMs, `presence in ${room} to converge`).catch((error: Error) => {
    throw new Error(`${error.message}:\n${views(members, room)}`);
  });
}

async function ops(host: string, path: string): Promise<any> {
  const response = await fetch(`http://${host}/ghost-admin${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status, `GET ${path}`).toBe(200);
  return response.json();
}

/** The node of each member of `room` by member id, as the hub's ops API reports it (cluster-wide). */
async function placement(cluster: Cluster, room: string): Promise<Map<string, string>> {
  const { members } = (await ops(cluster.lb, `/rooms/${room}/presence`)) as { members: { id: string; node: string }[] };
  return new Map(members.map((m) => [m.id, m.node]));
}

/** Asserts that the hubs hold exactly the room's clients, all on one node; returns that node. */
async function nodeOfRoom(cluster: Cluster, members: Member[], room: string): Promise<string> {
  const where = await placement(cluster, room);
  const ids = members.filter((m) => m.room === room).map((m) => m.client.self!.id);
  expect([...where.keys()].sort(), `the members of ${room} known to the hubs`).toEqual([...ids].sort());
  const nodes = new Set(where.values());
  expect([...nodes], `the nodes serving ${room}; HAProxy said:\n${cluster.haproxy.join('\n')}\n`).toHaveLength(1);
  return [...nodes][0]!;
}

async function setUp(redisUrl: string) {
  const cluster = await startCluster(redisUrl);
  const members = joinRooms(cluster);
  for (const room of ROOMS) await convergence(members, room, 10_000);
  const nodeOf = new Map<string, string>();
  for (const room of ROOMS) nodeOf.set(room, await nodeOfRoom(cluster, members, room));
  return { cluster, members, nodeOf };
}

describe('recipe: haproxy.cfg', () => {
  it('is what haproxy-config.ts renders for the example nodes', () => {
    expect(readFileSync(new URL('./haproxy.cfg', import.meta.url), 'utf8')).toBe(haproxyConfig(EXAMPLE));
  });
});

describeIfHaproxy('recipe: HAProxy routes a room to one hub node', () => {
  describeIfRedis('three hub processes on Redis', () => {
    const redis = useRedisServer();

    it('sends every connection of a room to the same node, and spreads the rooms over the nodes', async () => {
      const { members, nodeOf } = await setUp(redis.url);
      expect(new Set(nodeOf.values()).size, `rooms by node: ${JSON.stringify([...nodeOf])}`).toBeGreaterThan(1);
      expect(members.flatMap((m) => m.leaves)).toEqual([]);
    }, SLOW);

    const stops = [
      ['SIGKILL', 'killed (a crash)'],
      ['SIGTERM', 'drained (a deploy: hub.ts stops listening, then closes the hub)'],
    ] as const;
    for (const [signal, how] of stops) it(`${signal}: moves the rooms of a node ${how} whole to another node; members rejoin, no ghost, other rooms undisturbed`, async () => {
      const { cluster, members, nodeOf } = await setUp(redis.url);
      const lostNode = nodeOf.get(ROOMS[0]!)!;
      const movedRooms = ROOMS.filter((room) => nodeOf.get(room) === lostNode);
      const moved = members.filter((m) => movedRooms.includes(m.room));
      const stayed = members.filter((m) => !movedRooms.includes(m.room));
      const stayedIds = stayed.map((m) => m.client.self!.id);
      gone.clear();
      for (const m of moved) gone.add((m.oldId = m.client.self!.id));

      const stoppedAt = Date.now();
      const lost = cluster.nodes.get(lostNode)!.child;
      const exited = once(lost, 'exit');
      lost.kill(signal);

      // They reconnect by themselves through HAProxy. A session cannot move between processes, so
      // each comes back as a new member (a new id) and tracks the same state again.
      await waitFor(() => moved.every((m) => m.client.status === 'open' && !gone.has(m.client.self!.id)), 15_000, `the clients of ${lostNode} to reconnect`);
      for (const room of movedRooms) await convergence(members, room, 15_000);
      console.log(`${signal}: ${moved.length} clients of ${movedRooms.join(', ')} reconnected and converged ${Date.now() - stoppedAt} ms after the ${signal} of ${lostNode}`);
      await exited;

      for (const room of movedRooms) expect(await nodeOfRoom(cluster, members, room)).not.toBe(lostNode);
      for (const m of moved) {
        expect(m.statuses).toContain('reconnecting');
        // The old ids of its room left its view: replaced by the new ones, not kept beside them.
        const before = moved.filter((o) => o.room === m.room && o !== m).map((o) => o.oldId);
        expect(before.filter((id) => !m.leaves.some((leave) => leave.startsWith(`${id} `)))).toEqual([]);
      }

      // No ghost, even after the cluster has declared the node down (its members leave with
      // node-down everywhere then): every view still holds exactly the live members, and none of the
      // reconnected clients ever saw a member of the lost node beside them.
      cluster.nodes.delete(lostNode);
      await eachNodeKnows(cluster.nodes, [...cluster.nodes.keys()]);
      for (const room of ROOMS) {
        expect(converged(members, room), `presence in ${room} after node-down`).toBe(true);
        await nodeOfRoom(cluster, members, room);
      }
      expect(moved.flatMap((m) => m.ghosts)).toEqual([]);

      // The rooms of the other nodes never noticed.
      expect(stayed.length).toBeGreaterThan(0);
      expect(stayed.map((m) => m.client.self!.id)).toEqual(stayedIds);
      expect(stayed.flatMap((m) => m.statuses)).toEqual([]);
      expect(stayed.flatMap((m) => m.leaves)).toEqual([]);
    }, SLOW);
  });
});
