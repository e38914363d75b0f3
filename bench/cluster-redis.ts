// Two hub nodes on one redis-server, measured from outside.
//
//   npx tsx bench/cluster-redis.ts [members=50] [seconds=5]
//
// Node A runs in this process, node B as a child process (so it can be SIGKILLed). `members` clients,
// half on each node, move their cursor at 60 Hz in one room. Reports:
// - Redis PUBLISH calls per second while they move (from INFO commandstats), and what a watcher gets;
// - after SIGKILL of node B: how long until a watcher on A has seen every member of B leave with
//   'node-down', with the hub's default nodeHeartbeatMs (1000) and nodeTimeoutMs (3500).
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { createClient, type GhostClient } from '@ghost/client';
import { createHub } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { startRedisServer } from '../test/helpers/redis-process.js';

const members = Number(process.argv[2] ?? 50);
const seconds = Number(process.argv[3] ?? 5);
const redis = await startRedisServer();
const probe = new Redis(redis.url);

const server = http.createServer();
const hub = createHub({ adapter: redisAdapter({ url: redis.url }), nodeId: 'A', limits: { messagesPerSecond: 1000, burst: 1000 } });
hub.on('error', () => undefined);
hub.attach(server, { path: '/ghost' });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const urlA = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ghost`;

const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../test/fixtures/hub-node.ts', import.meta.url))], {
  env: { ...process.env, REDIS_URL: redis.url, NODE_ID: 'B', TICK_MS: '33', NODE_HEARTBEAT_MS: '1000', NODE_TIMEOUT_MS: '3500' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const portB = await new Promise<number>((resolve) => {
  child.stdout!.on('data', (chunk: Buffer) => {
    const match = /listening (\d+)/.exec(chunk.toString());
    if (match) resolve(Number(match[1]));
  });
});
const urlB = `ws://127.0.0.1:${portB}/ghost`;

const clients: GhostClient[] = [];
for (let i = 0; i < members; i++) clients.push(createClient(i % 2 ? urlB : urlA));
await Promise.all(clients.map((c) => new Promise<void>((resolve) => (c.status === 'open' ? resolve() : c.on('status', (s) => s === 'open' && resolve())))));

// A raw watcher on A: members it knows, and when it last saw one leave.
const known = new Map<string, unknown>();
const leftAt = new Map<string, { at: number; reason: string }>();
let frames = 0;
let bytes = 0;
let counting = false;
const watcher = new WebSocket(`${urlA}?v=1`);
watcher.on('message', (data) => {
  const text = data.toString();
  const message = JSON.parse(text);
  if (message.type === 'presence.snapshot') for (const m of message.members) known.set(m.id, m.state);
  if (message.type !== 'presence.diff') return;
  if (counting) {
    frames += 1;
    bytes += Buffer.byteLength(text);
  }
  for (const m of message.joins ?? []) known.set(m.id, m.state);
  for (const l of message.leaves ?? []) {
    known.delete(l.id);
    leftAt.set(l.id, { at: performance.now(), reason: l.reason });
  }
});
await new Promise((resolve) => watcher.once('open', resolve));
watcher.send(JSON.stringify({ type: 'presence.join', room: 'lobby' }));

let t = 0;
const mover = setInterval(() => {
  t += 1 / 60;
  clients.forEach((c, i) => {
    const a = t * 2 + (i * Math.PI * 2) / members;
    c.presence('lobby').track({ x: Number((0.5 + 0.4 * Math.cos(a)).toFixed(4)), y: Number((0.5 + 0.4 * Math.sin(a)).toFixed(4)) });
  });
}, 1000 / 60);
await new Promise((r) => setTimeout(r, 1500));

const publishes = async () => {
  const stats = await probe.info('commandstats');
  return Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0);
};
const before = await publishes();
counting = true;
const started = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
counting = false;
const elapsed = (performance.now() - started) / 1000;
const publishesPerSecond = ((await publishes()) - before) / elapsed;
clearInterval(mover);

const onB = clients.filter((_, i) => i % 2).map((c) => c.self!.id);
const seenBeforeKill = onB.filter((id) => known.has(id)).length;
const killedAt = performance.now();
child.kill('SIGKILL');
while (onB.some((id) => known.has(id)) && performance.now() - killedAt < 20_000) await new Promise((r) => setTimeout(r, 10));
const vanished = onB.map((id) => leftAt.get(id));

console.log(JSON.stringify({
  members,
  nodes: 2,
  moveHz: 60,
  redisPublishesPerSecond: Math.round(publishesPerSecond),
  watcherOnA: { framesPerSecond: Number((frames / elapsed).toFixed(1)), bytesPerSecond: Math.round(bytes / elapsed) },
  sigkillOfB: {
    membersOfBSeenBeforeKill: seenBeforeKill,
    allGoneAfterMs: Math.round(Math.max(...vanished.map((v) => (v ? v.at - killedAt : Infinity)))),
    reasons: [...new Set(vanished.map((v) => v?.reason))],
  },
}, null, 2));

watcher.close();
await Promise.all(clients.filter((_, i) => !(i % 2)).map((c) => c.close()));
for (const c of clients.filter((_, i) => i % 2)) void c.close();
await hub.close();
server.close();
probe.disconnect();
await redis.stop();
process.exit(0);
