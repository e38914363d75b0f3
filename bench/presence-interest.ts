// Presence traffic on Redis for one busy room: all its members on one node (room-routed) versus
// spread over the nodes (randomly routed).
//
//   npx tsx bench/presence-interest.ts [nodes=3] [members=20] [hz=30] [seconds=5]
//
// `nodes` hubs run in this process on one throwaway redis-server. `members` raw protocol clients track
// a moving cursor at `hz` each in one room. Reports, per layout, Redis PUBLISH + SPUBLISH calls per
// second (INFO commandstats deltas, so every node's heartbeats are in it) and the envelopes per second
// seen on the room's presence channel by a pattern subscriber.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createHub, type Hub } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { startRedisServer } from '../test/helpers/redis-process.js';

const [nodeCount, members, hz, seconds] = [3, 20, 30, 5].map((fallback, i) => Number(process.argv[2 + i] ?? fallback)) as [number, number, number, number];

const redis = await startRedisServer();
const probe = new Redis(redis.url);
const listener = new Redis(redis.url);
const perChannel = new Map<string, number>();
await listener.psubscribe('*presence*');
listener.on('pmessage', (_pattern: string, channel: string) => perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1));

const nodes: { hub: Hub; server: http.Server; url: string }[] = [];
for (let i = 0; i < nodeCount; i++) {
  const hub = createHub({ adapter: redisAdapter({ url: redis.url }), nodeId: `node${i}`, limits: { messagesPerSecond: 1000, burst: 1000 } });
  hub.on('error', (error) => console.error(`node${i}:`, error.message));
  const server = http.createServer();
  hub.attach(server, { path: '/ghost' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  nodes.push({ hub, server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ghost?v=1` });
}

async function publishCalls(): Promise<number> {
  const stats = await probe.info('commandstats');
  let calls = 0;
  for (const match of stats.matchAll(/cmdstat_s?publish:calls=(\d+)/g)) calls += Number(match[1]);
  return calls;
}

async function connect(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data) => {
      if (JSON.parse(data.toString()).type === 'welcome') resolve();
    });
  });
  return socket;
}

/** `members` clients in `room`, each on the node `place(i)` picks, moving for `seconds`. */
async function measure(room: string, place: (i: number) => number): Promise<{ publishes: number; envelopes: number; spread: number[] }> {
  const spread = nodes.map(() => 0);
  const sockets = await Promise.all(Array.from({ length: members }, (_, i) => {
    const at = place(i);
    spread[at]! += 1;
    return connect(nodes[at]!.url);
  }));
  let t = 0;
  const move = () => {
    t += 1 / hz;
    sockets.forEach((socket, i) => {
      const a = t * 2 + (i * Math.PI * 2) / members;
      socket.send(JSON.stringify({ type: 'presence.track', room, state: { x: Number((0.5 + 0.4 * Math.cos(a)).toFixed(4)), y: Number((0.5 + 0.4 * Math.sin(a)).toFixed(4)) } }));
    });
  };
  const mover = setInterval(move, 1000 / hz);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // joins and syncs are done: measure the steady state
  const [calls, envelopes] = [await publishCalls(), [...perChannel].filter(([c]) => c.includes(room)).reduce((n, [, v]) => n + v, 0)];
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const after = await publishCalls();
  const envelopesAfter = [...perChannel].filter(([c]) => c.includes(room)).reduce((n, [, v]) => n + v, 0);
  clearInterval(mover);
  for (const socket of sockets) socket.close();
  await new Promise((resolve) => setTimeout(resolve, 500));
  return { publishes: (after - calls) / seconds, envelopes: (envelopesAfter - envelopes) / seconds, spread };
}

const routed = await measure('routed', () => 0);
const random = await measure('spread', () => Math.floor(Math.random() * nodeCount));
const heartbeats = nodeCount * 1; // nodeHeartbeatMs 1000: one per node per second, on the `all` channel

console.log(`${nodeCount} nodes, one room of ${members} members moving at ${hz} Hz each, ${seconds} s measured per layout`);
console.log('layout            members per node   PUBLISH+SPUBLISH/s (incl. ~' + heartbeats + '/s heartbeats)   room presence envelopes/s');
for (const [name, r] of [['room-routed', routed], ['randomly routed', random]] as const) {
  console.log(`${name.padEnd(18)}${r.spread.join('/').padEnd(19)}${r.publishes.toFixed(1).padStart(10)}${' '.repeat(36)}${r.envelopes.toFixed(1).padStart(8)}`);
}

for (const { hub, server } of nodes) {
  await hub.close();
  server.close();
}
probe.disconnect();
listener.disconnect();
await redis.stop();
