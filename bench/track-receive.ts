// What the hub spends on one cursor move once ws has read it, against the least any relay does with it.
//
//   npx tsx bench/track-receive.ts [members=25] [rounds=9] [--ioredis]
//
// `--ioredis` loads ioredis first, as a hub on the Redis adapter does: ioredis 6 slows string
// scanning process-wide on Node 20 (docs/benchmarks.md); the hub reads a move's bytes, not its text.
//
// A room of `members` real connections; their server-side sockets are handed `presence.track` frames
// directly (ws's 'message' event, as its receiver emits it), in a tight loop, so neither socket reads
// nor ticks run in the measured time. The floor is what the coalesced ws relay of the benchmark suite
// does per move: JSON.parse the frame, JSON.stringify the state, remember it in a Map. Last, the read
// of one frame alone, in a loop: the hub's scan (track-scan.ts) against the general path's decode.
import http from 'node:http';
import WebSocket from 'ws';
import { createHub } from '@ghost/server';
import { decodeClientMessage } from '@ghost/protocol';
import { scanTrack } from '../packages/server/src/track-scan.js';
import { GHOST_OPTIONS } from './compare/servers.js';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const members = Number(args[0] ?? 25);
const rounds = Number(args[1] ?? 9);
if (process.argv.includes('--ioredis')) await import('ioredis');
const MOVES = 400; // per member and round

const server = http.createServer();
const hub = createHub(GHOST_OPTIONS);
hub.attach(server, { path: '/ghost' });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as { port: number };
const clients: WebSocket[] = [];
for (let i = 0; i < members; i++) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ghost?v=2`);
  await new Promise((resolve) => ws.once('message', resolve)); // the welcome
  ws.send('{"type":"presence.join","room":"r"}');
  clients.push(ws);
}
await new Promise((resolve) => setTimeout(resolve, 300));
// The hub keeps its sockets to itself; a benchmark may look.
const sockets = [...(hub as unknown as { wss: { clients: Set<WebSocket> } }).wss.clients];
const frames = sockets.map((_, i) =>
  Array.from({ length: 64 }, (_, k) => Buffer.from(`{"type":"presence.track","room":"r","state":{"m":${i},"n":${k},"t":1733400000000.123,"x":0.5,"y":0.5}}`)),
);

async function measure(move: (socket: number, frame: Buffer) => void): Promise<number> {
  const runs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < MOVES; k++) for (let i = 0; i < sockets.length; i++) move(i, frames[i]![k & 63]!);
    runs.push(Number(process.hrtime.bigint() - start) / (MOVES * sockets.length));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the tick sends what this round tracked
  }
  return runs.sort((a, b) => a - b)[rounds >> 1]!;
}

const hubNs = await measure((i, frame) => sockets[i]!.emit('message', frame, false));
const latest = new Map<number, string>();
const floorNs = await measure((i, frame) => {
  const message = JSON.parse(frame.toString()) as { state: unknown };
  latest.set(i, JSON.stringify(message.state));
});
console.log(`ns per presence.track (median of ${rounds} rounds of ${MOVES * sockets.length}):`);
console.log(`  hub (routeFrame → Presence.track → PresenceRoom.track)   ${Math.round(hubNs)}`);
console.log(`  floor (JSON.parse + JSON.stringify(state) + Map.set)     ${Math.round(floorNs)}`);
console.log(`  hub's own work                                           ${Math.round(hubNs - floorNs)}`);

// Reading one frame as ws delivers it: the scan hands over the state's text; the general path decodes
// the frame to text, parses it, checks it and writes the state back to text.
function perFrame(read: (frame: Buffer) => unknown): number {
  const runs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let k = 0; k < 100_000; k++) read(frames[0]![k & 63]!);
    runs.push(Number(process.hrtime.bigint() - start) / 100_000);
  }
  return runs.sort((a, b) => a - b)[rounds >> 1]!;
}
const scanNs = perFrame((frame) => scanTrack(frame)!.stateJson);
const decodeNs = perFrame((frame) => {
  const decoded = decodeClientMessage(frame.toString());
  return decoded.ok && decoded.message.type === 'presence.track' ? JSON.stringify(decoded.message.state) : undefined;
});
console.log(`ns to read one presence.track's state as text:`);
console.log(`  scan (track-scan.ts)                                    ${Math.round(scanNs)}`);
console.log(`  decode (decodeClientMessage + JSON.stringify(state))    ${Math.round(decodeNs)}`);
for (const ws of clients) ws.terminate();
await hub.close();
server.close();
