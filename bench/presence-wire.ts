// Bytes on the wire for cursor presence, measured on real sockets.
//
//   npx tsx bench/presence-wire.ts [members=50] [seconds=5] [hz=60]
//
// N clients join one room and move their cursor at `hz`; one extra watcher counts what it receives.
// Reports the size of one client→hub update, and per watcher: frames per second, bytes per tick and
// bytes per second. Raw WebSocket framing (2–4 bytes header per frame) is not included.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type GhostClient } from '@ghost/client';
import { createHub } from '@ghost/server';
import WebSocket from 'ws';

const members = Number(process.argv[2] ?? 50);
const seconds = Number(process.argv[3] ?? 5);
const hz = Number(process.argv[4] ?? 60);

const server = http.createServer();
const hub = createHub({ limits: { messagesPerSecond: 1000, burst: 1000 } });
hub.attach(server, { path: '/ghost' });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ghost`;

// One client→hub update, exactly as the client sends it.
const sample = JSON.stringify({ type: 'presence.track', room: 'lobby', state: { x: 0.4821, y: 0.1377 } });

const clients: GhostClient[] = [];
for (let i = 0; i < members; i++) clients.push(createClient(url));
await Promise.all(clients.map((c) => new Promise<void>((resolve) => (c.status === 'open' ? resolve() : c.on('status', (s) => s === 'open' && resolve())))));

// The watcher is a raw socket, so it counts exact frame payloads.
const watcher = new WebSocket(url + '?v=1');
let frames = 0;
let bytes = 0;
let counting = false;
watcher.on('message', (data) => {
  const text = data.toString();
  if (!counting || !text.startsWith('{"type":"presence.diff"')) return;
  frames += 1;
  bytes += Buffer.byteLength(text);
});
await new Promise((resolve) => watcher.once('open', resolve));
watcher.send(JSON.stringify({ type: 'presence.join', room: 'lobby' }));

let t = 0;
const mover = setInterval(() => {
  t += 1 / hz;
  clients.forEach((c, i) => {
    const a = t * 2 + (i * Math.PI * 2) / members;
    c.presence('lobby').track({ x: Number((0.5 + 0.4 * Math.cos(a)).toFixed(4)), y: Number((0.5 + 0.4 * Math.sin(a)).toFixed(4)) });
  });
}, 1000 / hz);

await new Promise((r) => setTimeout(r, 1000)); // joins settle
counting = true;
const started = performance.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
counting = false;
const elapsed = (performance.now() - started) / 1000;
clearInterval(mover);

console.log(JSON.stringify({
  members,
  moveHz: hz,
  clientUpdateBytes: Buffer.byteLength(sample),
  watcher: {
    framesPerSecond: Number((frames / elapsed).toFixed(1)),
    bytesPerTick: Math.round(bytes / Math.max(1, frames)),
    bytesPerSecond: Math.round(bytes / elapsed),
    bytesPerMemberUpdate: Number((bytes / Math.max(1, frames) / members).toFixed(1)),
  },
}, null, 2));

watcher.close();
await Promise.all(clients.map((c) => c.close()));
await hub.close();
server.close();
