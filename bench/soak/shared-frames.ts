// `npm run soak:shared`: a fan-out frame is encoded once and shared by every slow reader's queue. 200
// readers that never read get N broadcasts of 10 KB each; the hub's memory (heap and buffers, after a
// full GC) grows by about N × 10 KB, not 200 × N × 10 KB. Run as root where `unshare` exists, it runs
// in a private network namespace whose sockets get 4 KiB receive buffers, so the kernel soaks up
// little before the hub has to hold the frames itself.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { createHub } from '@ghost/server';

if (!process.env.SOAK_NETNS && process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0) {
  const inner = 'ip link set lo up && sysctl -qw net.ipv4.tcp_rmem="4096 4096 4096" && exec "$@"';
  const run = spawnSync('unshare', ['-n', 'sh', '-c', inner, 'sh', process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: 'inherit', env: { ...process.env, SOAK_NETNS: '1' },
  });
  process.exit(run.status ?? 1);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const READERS = 200;
const FRAMES = Number(process.env.SOAK_FRAMES ?? 400);
const payload = 'x'.repeat(10_000);

const hub = createHub({ limits: { maxBufferedBytes: 1024 ** 3, maxHubBufferedBytes: 1024 ** 4 } });
const server = http.createServer();
hub.attach(server);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ghost`;
const readers = await Promise.all(Array.from({ length: READERS }, () => new Promise<WebSocket>((resolve, reject) => {
  const socket = new WebSocket(url);
  socket.once('message', () => {
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    resolve(socket);
  });
  socket.once('error', reject);
})));

const memory = () => {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const before = memory();
for (let i = 0; i < FRAMES; i++) {
  await hub.broadcast({ i, payload });
  if (i % 20 === 0) await new Promise((r) => setTimeout(r, 10)); // let sockets take what they can
}
const after = memory();
const waiting = hub.stats().bufferedBytes;
const frameBytes = JSON.stringify({ type: 'broadcast', data: { i: 0, payload }, ts: Date.now() }).length;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
console.log(JSON.stringify({
  readers: READERS, frames: FRAMES, frameBytes,
  waitingCountedByHub: mib(waiting),
  memoryGrowth: mib(after - before),
  ifShared: mib(FRAMES * frameBytes),
  ifCopiedPerReader: mib(READERS * FRAMES * frameBytes),
}));
for (const socket of readers) socket.terminate();
await hub.close();
server.close();
