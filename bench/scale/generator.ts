// One generator process of the scale bench: opens its share of the connections over bare TCP
// sockets (a hand-written upgrade request, frames written with a zero mask key, RFC 6455 allows it),
// moves the cursors of its movers, and decodes only what its sampled watchers receive.
//
//   (spawned by run.ts) [taskset -c 1] node --import tsx bench/scale/generator.ts '<GeneratorConfig JSON>'
//
// Every other connection costs one shared 'data' handler that adds up bytes and counts diff frames
// with a native search: no WebSocket parsing, no strings, no per-connection closures.
//
// Requests (answered with the same id): `connect`, `move` (on/off), `window` (counters since the
// last `window`, then reset), `close`.
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { membersOf, roomName, type Member, type Workload } from './plan.js';

export interface GeneratorConfig {
  worker: number;
  workload: Workload;
  hubs: { host: string; port: number }[];
  /** Connections opening at once. */
  concurrency: number;
  /** Staleness samples kept per window (uniform reservoir). */
  maxSamples: number;
}

/** What a generator reports for a window. */
export interface GeneratorWindow {
  seconds: number;
  bytesIn: number;
  diffFrames: number;
  movesSent: number;
  /** Cursor states the sampled watchers decoded, and their staleness (ms) sampled uniformly. */
  decoded: number;
  staleness: number[];
  closed: number;
  closeReasons: Record<string, number>;
  lag: { p50Ms: number; p99Ms: number; maxMs: number };
}

interface Request {
  id: number;
  cmd: 'connect' | 'move' | 'window' | 'close';
  on?: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as GeneratorConfig;
if (!config.workload || !process.send) {
  console.error('usage: spawned by bench/scale/run.ts with an IPC channel');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));
const send = (message: unknown) => process.send!(message);

const now = () => performance.timeOrigin + performance.now();
const DIFF = Buffer.from('"presence.diff"');
const KEY = Buffer.from('dGhlIHNhbXBsZSBub25jZQ==').toString(); // any 16 bytes in base64 will do
const members = membersOf(config.workload, config.worker);
const sockets: (net.Socket | undefined)[] = new Array(members.length);

let bytesIn = 0;
let diffFrames = 0;
let movesSent = 0;
let decoded = 0;
let closed = 0;
let windowStart = performance.now();
const samples = new Float64Array(config.maxSamples);
let sampleCount = 0;
let sampleSeen = 0;

function record(ms: number): void {
  sampleSeen += 1;
  if (sampleCount < samples.length) samples[sampleCount++] = ms;
  else {
    const slot = Math.floor(Math.random() * sampleSeen);
    if (slot < samples.length) samples[slot] = ms;
  }
}

/** A client text frame: FIN + text, masked with a zero key (so the payload goes as is). */
function frame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 6 : 8;
  const out = Buffer.allocUnsafe(head + length);
  out[0] = 0x81;
  if (length < 126) out[1] = 0x80 | length;
  else {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(length, 2);
  }
  out.writeUInt32BE(0, head - 4);
  out.write(text, head);
  return out;
}

const PONG = frame('{"type":"pong"}');

/** Why the hub closed sockets: a close frame usually arrives alone, at the start of a chunk. */
const closeReasons: Record<string, number> = {};

function countOnly(chunk: Buffer): void {
  bytesIn += chunk.length;
  if (chunk[0] === 0x88 && chunk.length >= 4) {
    const reason = `${chunk.readUInt16BE(2)} ${chunk.toString('utf8', 4, 2 + (chunk[1]! & 0x7f))}`;
    closeReasons[reason] = (closeReasons[reason] ?? 0) + 1;
  }
  for (let at = chunk.indexOf(DIFF); at >= 0; at = chunk.indexOf(DIFF, at + DIFF.length)) diffFrames += 1;
}

const STAMP = /"t":(\d+(?:\.\d+)?)/g;

/** A sampled watcher: walks the WebSocket frames (server frames are unmasked) and reads every stamp. */
function decoder(): (chunk: Buffer) => void {
  let pending: Buffer | undefined;
  return (chunk) => {
    countOnly(chunk);
    const at = now();
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = undefined;
    let p = 0;
    while (p + 2 <= buf.length) {
      const b1 = buf[p + 1]! & 0x7f;
      const head = b1 === 126 ? 4 : b1 === 127 ? 10 : 2;
      if (p + head > buf.length) break;
      const length = b1 === 126 ? buf.readUInt16BE(p + 2) : b1 === 127 ? Number(buf.readBigUInt64BE(p + 2)) : b1;
      if (p + head + length > buf.length) break;
      const text = buf.toString('latin1', p + head, p + head + length);
      if (text.startsWith('{"type":"presence.diff"')) {
        for (const m of text.matchAll(STAMP)) {
          decoded += 1;
          record(at - Number(m[1]));
        }
      }
      p += head + length;
    }
    if (p < buf.length) pending = Buffer.from(buf.subarray(p));
  };
}

/** Opens one member's connection: upgrade, welcome, then a `presence.track` with a ref, up to its ack. */
function open(member: Member): Promise<net.Socket> {
  const hub = config.hubs[member.node]!;
  const room = roomName(member.room);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hub.host, port: hub.port, localAddress: member.source });
    socket.setNoDelay(true);
    let text = '';
    let stage: 'upgrade' | 'welcome' | 'ack' = 'upgrade';
    const timer = setTimeout(() => fail(new Error(`no ack within 60 s (${stage})`)), 60_000);
    function fail(error: Error) {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.write(
        `GET /ghost?v=1 HTTP/1.1\r\nHost: ${hub.host}:${hub.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (stage === 'upgrade') {
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!text.startsWith('HTTP/1.1 101')) return fail(new Error(`upgrade refused: ${text.slice(0, 80)}`));
        text = text.slice(end + 4);
        stage = 'welcome';
      }
      if (stage === 'welcome') {
        if (!text.includes('{"type":"welcome"')) return;
        stage = 'ack';
        text = '';
        // No stamp: only moves carry one, so a member list replayed later (a sync) is not read as a stale move.
        const state = '{"x":0.5,"y":0.5}';
        socket.write(frame(`{"type":"presence.track","room":"${room}","state":${state},"ref":1}`));
        return;
      }
      if (text.includes('{"type":"ack","ref":1}')) {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', fail);
        socket.on('error', () => undefined);
        socket.once('close', () => (closed += 1));
        socket.on('data', member.sampled ? decoder() : countOnly);
        resolve(socket);
      } else if (text.includes('{"type":"error"')) fail(new Error(`refused: ${text.slice(0, 200)}`));
    };
    socket.on('data', onData);
  });
}

async function connectAll(): Promise<{ opened: number; failed: number; firstError?: string; seconds: number }> {
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const worker = async () => {
    while (next < members.length) {
      const i = next++;
      try {
        sockets[i] = await open(members[i]!);
      } catch (error) {
        failed += 1;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, members.length) }, worker));
  return { opened: members.length - failed, failed, firstError, seconds: (performance.now() - t0) / 1000 };
}

// Movers: one 5 ms timer; each mover sends when its own period is due (10–30 Hz: 33–100 ms).
const movers = members.map((m, i) => ({ m, i })).filter(({ m }) => m.hz > 0);
const due = new Float64Array(movers.length);
let moveTimer: NodeJS.Timeout | undefined;
function moving(on: boolean): void {
  clearInterval(moveTimer);
  if (!on) return;
  const t0 = performance.now();
  movers.forEach(({ m }, k) => (due[k] = t0 + Math.random() * (1000 / m.hz)));
  moveTimer = setInterval(() => {
    const t = performance.now();
    for (let k = 0; k < movers.length; k++) {
      if (due[k]! > t) continue;
      const { m, i } = movers[k]!;
      due[k] = Math.max(due[k]! + 1000 / m.hz, t);
      const socket = sockets[i];
      if (!socket || socket.destroyed) continue;
      const angle = t / 1000 + i;
      const x = (0.5 + 0.4 * Math.cos(angle)).toFixed(4);
      const y = (0.5 + 0.4 * Math.sin(angle)).toFixed(4);
      socket.write(frame(`{"type":"presence.track","room":"${roomName(m.room)}","state":{"t":${now().toFixed(2)},"x":${x},"y":${y}}}`));
      movesSent += 1;
    }
  }, 5);
}

// Keep-alive: the hub drops a socket silent for 2 × 15 s. Every connection sends a pong every 12 s,
// spread over 120 turns of 100 ms; pings from the hub are never read.
let turn = 0;
const keepalive = setInterval(() => {
  const slot = turn++ % 120;
  for (let i = slot; i < sockets.length; i += 120) {
    const s = sockets[i];
    if (s && !s.destroyed) s.write(PONG);
  }
}, 100);

const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();

function window(): GeneratorWindow {
  const out: GeneratorWindow = {
    seconds: (performance.now() - windowStart) / 1000,
    bytesIn,
    diffFrames,
    movesSent,
    decoded,
    staleness: Array.from(samples.subarray(0, sampleCount)),
    closed,
    closeReasons: { ...closeReasons },
    lag: { p50Ms: lag.percentile(50) / 1e6, p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 },
  };
  bytesIn = diffFrames = movesSent = decoded = sampleCount = sampleSeen = 0;
  lag.reset();
  windowStart = performance.now();
  return out;
}

process.on('message', (request: Request) => {
  void (async () => {
    switch (request.cmd) {
      case 'connect':
        return connectAll();
      case 'move':
        return moving(request.on === true);
      case 'window':
        return window();
      case 'close':
        moving(false);
        clearInterval(keepalive);
        for (const s of sockets) s?.destroy();
        setImmediate(() => process.exit(0));
        return null;
      default:
        throw new Error(`unknown request ${String(request.cmd)}`);
    }
  })().then(
    (result) => send({ id: request.id, ok: true, result }),
    (error: Error) => send({ id: request.id, ok: false, error: String(error?.stack ?? error) }),
  );
});

send({ ready: true, pid: process.pid, members: members.length, movers: movers.length, sampled: members.filter((m) => m.sampled).length });
