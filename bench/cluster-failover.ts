// Two hub nodes on a Redis Cluster (three masters, one replica each, cluster-node-timeout 2000 ms),
// while the cluster moves a live topic's slot and then loses a master.
//
//   npx tsx bench/cluster-failover.ts [rate=20] [seconds=12]
//
// Hub A publishes numbers on topic `lobby` at `rate` per second; a client on hub B receives them. A
// client on A sends a chat message in room `lobby` (same hash tag, so same slot) every 250 ms.
// 1. Reshard: the slot of `lobby` moves to another master (IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE).
// 2. Failover: the master now serving that slot is SIGKILLed; its replica is promoted.
// Reports for each: the longest silence at the reader (the gap), the numbers lost, the chat answers
// (acks and error codes), the hubs' error reports, and after the failover the sharded subscriber
// connections per master (CLIENT LIST).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHub, type Hub } from '@ghost/server';
import { redisAdapter } from '@ghost/server/redis';
import { RawClient } from '../test/helpers/raw-client.js';
import { startRedisCluster } from '../test/helpers/redis-cluster-process.js';

const rate = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 12);
const room = 'lobby';

const redis = await startRedisCluster();
const hubs: { hub: Hub; server: http.Server; url: string; reports: string[] }[] = [];
for (const nodeId of ['A', 'B']) {
  const hub = createHub({ adapter: redisAdapter({ cluster: redis.urls }), nodeId });
  const reports: string[] = [];
  hub.on('error', (error) => reports.push(error.message));
  const server = http.createServer();
  hub.attach(server, { path: '/ghost' });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hubs.push({ hub, server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ghost`, reports });
}
const [a, b] = hubs as [(typeof hubs)[number], (typeof hubs)[number]];

const reader = (await RawClient.welcomed(b.url)).client;
reader.send({ type: 'topic.subscribe', topic: room, ref: 1 });
await reader.next('ack');
const chatter = (await RawClient.welcomed(a.url)).client;
chatter.send({ type: 'chat.join', room, ref: 1 });
chatter.send({ type: 'chat.identify', room, name: 'bench', ref: 2 });
await new Promise((resolve) => setTimeout(resolve, 300));

const arrivals = new Map<number, number>(); // number → when it arrived
reader.socket.on('message', (raw) => {
  const message = JSON.parse(String(raw)) as { type: string; data?: unknown };
  if (message.type === 'topic.message') arrivals.set(message.data as number, performance.now());
});

let sent = 0;
const publisher = setInterval(() => void a.hub.publish(room, ++sent), 1000 / rate);
let ref = 10;
const chatAnswers: { at: number; answer: string }[] = [];
const pending = new Map<number, number>();
chatter.socket.on('message', (raw) => {
  const message = JSON.parse(String(raw)) as { type: string; ref?: number; code?: string };
  const at = message.ref === undefined ? undefined : pending.get(message.ref);
  if (at === undefined || (message.type !== 'ack' && message.type !== 'error')) return;
  pending.delete(message.ref!);
  chatAnswers.push({ at, answer: message.type === 'ack' ? 'ack' : message.code! });
});
const chat = setInterval(() => {
  pending.set(++ref, performance.now());
  chatter.send({ type: 'chat.send', room, text: `m${ref}`, ref });
}, 250);

/** Runs `disrupt` after 2 s of traffic, keeps going for `seconds`, and summarises what the reader saw. */
async function phase(name: string, disrupt: () => Promise<void>) {
  const firstSent = sent + 1;
  const reportsBefore = hubs.map((h) => h.reports.length);
  const chatBefore = chatAnswers.length;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const t0 = performance.now();
  await disrupt();
  const disruptedIn = performance.now() - t0;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const lastSent = sent;
  await new Promise((resolve) => setTimeout(resolve, 1000)); // stragglers
  const times = [...arrivals.entries()].filter(([n]) => n >= firstSent && n <= lastSent).map(([, at]) => at).sort((x, y) => x - y);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  const lost = [];
  for (let n = firstSent; n <= lastSent; n++) if (!arrivals.has(n)) lost.push(n);
  const answers = chatAnswers.slice(chatBefore).reduce<Record<string, number>>((count, { answer }) => ({ ...count, [answer]: (count[answer] ?? 0) + 1 }), {});
  console.log(`${name}: disruption took ${(disruptedIn / 1000).toFixed(2)} s`);
  console.log(`  published ${lastSent - firstSent + 1} at ${rate}/s; longest silence at the reader ${(gap / 1000).toFixed(2)} s; lost ${lost.length}${lost.length ? ` (${lost[0]}…${lost.at(-1)})` : ''}`);
  console.log(`  chat sends answered: ${JSON.stringify(answers)}; unanswered ${pending.size}`);
  console.log(`  hub error reports: ${hubs.map((h, i) => `${['A', 'B'][i]} ${h.reports.length - reportsBefore[i]!}`).join(', ')}`);
  for (const [i, h] of hubs.entries()) for (const report of h.reports.slice(reportsBefore[i])) console.log(`    ${['A', 'B'][i]}: ${report.slice(0, 160)}`);
}

const slot = await redis.slotOf(`ghost:topic:{${room}}`);
await phase('reshard (slot of the live topic moved to another master)', async () => {
  const from = await redis.masterOf(slot);
  const to = (await redis.masters()).find((master) => master.port !== from.port)!;
  await redis.moveSlot(slot, to);
});
await phase('failover (SIGKILL of the master serving the topic)', async () => {
  await redis.kill(await redis.masterOf(slot));
  await redis.settled();
});

const perMaster = await Promise.all((await redis.masters()).map((master) => redis.on(master, async (r) => {
  const lines = String(await r.client('LIST')).trim().split('\n');
  return lines.filter((line) => Number(/ ssub=(\d+)/.exec(line)?.[1] ?? 0) > 0).length;
})));
console.log(`sharded subscriber connections per master after the failover (2 hubs): ${perMaster.join(', ')}`);

clearInterval(publisher);
clearInterval(chat);
reader.close();
chatter.close();
for (const h of hubs) {
  await h.hub.close();
  h.server.close();
}
await redis.stop();
