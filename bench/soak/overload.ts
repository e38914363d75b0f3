// `npm run soak`: the overload from the issue, at full size. Per run, a default hub in its own process;
// N chat readers (in a process of their own) that join one room and never read; 8 senders each sending 2,000-character messages at
// 100/s (under the 120/s limit); a bystander publishing to its own topic, one request at a time. Prints
// the hub's peak RSS, readers shed, the bystander's ack p99/max and the honest senders' errors.
//
//   npm run soak                     # 1,000 and 5,000 readers, 40 s each
//   SOAK_READERS=1000 SOAK_SECONDS=20 npm run soak
//   SOAK_SERVER=/abs/path/packages/server/src/index.ts npm run soak   # measure other server sources
//
// Run as root where `unshare` exists, it runs itself in a private network namespace whose sockets get
// 4 KiB receive buffers, as the readers had (otherwise the kernel soaks up ~4 MB per never-
// reading socket first, and 5,000 of them press on the whole machine's TCP memory).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { collectLines } from '../../test/helpers/lines.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const readerCounts = (process.env.SOAK_READERS ?? '1000,5000').split(',').map(Number);
const seconds = Number(process.env.SOAK_SECONDS ?? 40);
const SENDERS = 8;
const PER_SECOND = 100;
const TEXT = 'x'.repeat(2000);
const ROOM = 'flood';
/** Readers connecting at once. */
const CONNECT_BATCH = 250;

if (!process.env.SOAK_NETNS && process.getuid?.() === 0 && spawnSync('unshare', ['--version']).status === 0) {
  const inner = 'ip link set lo up && exec "$@"';
  const run = spawnSync('unshare', ['-n', 'sh', '-c', inner, 'sh', process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: 'inherit', env: { ...process.env, SOAK_NETNS: '1' },
  });
  process.exit(run.status ?? 1);
}

type Sample = { rss: number; open: number; buffered: number | null; ended: number; loopMaxMs: number };

function open(url: string, onMessage: (text: string, socket: WebSocket) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('message', (data: Buffer) => onMessage(data.length < 512 ? data.toString() : '', socket));
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

// Sockets take their receive buffer from this setting when they are made; in the private namespace
// only the readers' (and the hub's ends of them) are made while it is 4 KiB.
const RMEM = '/proc/sys/net/ipv4/tcp_rmem';
const defaultRmem = process.env.SOAK_NETNS ? readFileSync(RMEM, 'utf8') : '';
const tinyReceiveBuffers = (on: boolean) => {
  if (process.env.SOAK_NETNS) writeFileSync(RMEM, on ? '4096 4096 4096' : defaultRmem);
};

/** A reader: joins the room, then stops reading for good. */
function reader(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    open(url, (text, socket) => {
      if (text.startsWith('{"type":"welcome"')) socket.send(JSON.stringify({ type: 'chat.join', room: ROOM, ref: 1 }));
      else if (text.startsWith('{"type":"ack"')) {
        (socket as unknown as { _socket: { pause(): void } })._socket.pause();
        resolve(socket);
      }
    }).catch(reject);
  });
}

/** Starts the readers' process; resolves once all of them joined and stopped reading. */
async function startReaders(url: string, count: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SOAK_READERS_URL: url, SOAK_READERS_COUNT: String(count) },
  });
  const lines: string[] = [];
  collectLines(child.stdout!, lines);
  while (lines[0] !== 'ready') {
    if (child.exitCode !== null) throw new Error('the readers process failed');
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function soak(readers: number): Promise<void> {
  const nodeArgs = process.env.SOAK_HUB_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const hub = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', process.env.SOAK_HUB ?? `${here}hub.ts`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  collectLines(hub.stdout!, lines);
  while (!lines[0]) await new Promise((r) => setTimeout(r, 20));
  const url = `ws://127.0.0.1:${(JSON.parse(lines[0]) as { port: number }).port}/ghost`;
  const samples = () => lines.slice(1).map((line) => JSON.parse(line) as Sample);

  tinyReceiveBuffers(true);
  const connectStarted = Date.now();
  const readerProcess = await startReaders(url, readers);
  const connectMs = Date.now() - connectStarted;
  tinyReceiveBuffers(false);
  // Where the overload starts in the hub's samples (by position: each samples() call parses anew).
  const beforeIndex = samples().length - 1;
  const before = samples()[beforeIndex];

  // Honest senders: 100/s each by their own clock, every answer but acks counted.
  const senderErrors: Record<string, number> = {};
  const senderCloses: string[] = [];
  const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => new Promise<WebSocket>((resolve, reject) => {
    open(url, (text, socket) => {
      if (text.startsWith('{"type":"welcome"')) socket.send(JSON.stringify({ type: 'chat.identify', room: ROOM, name: `sender-${i}`, ref: 1 }));
      else if (text.startsWith('{"type":"ack","ref":1}') || text.startsWith('{"type":"ack","ref":1,')) resolve(socket);
      else if (text.startsWith('{"type":"error"')) {
        const { code } = JSON.parse(text) as { code: string };
        senderErrors[code] = (senderErrors[code] ?? 0) + 1;
      }
    }).then((socket) => socket.on('close', (code, reason) => senderCloses.push(`${code} ${reason.toString()}`)), reject);
  })));
  const loadAtStart = loadavg()[0]!.toFixed(1);
  // This process's own delays: a late sender or a late clock here is not the hub's doing.
  const ownLoop = monitorEventLoopDelay({ resolution: 10 });
  ownLoop.enable();
  // The kernel's TCP buffers are memory the hub holds too, and they are shared by every socket of the
  // machine: past tcp_mem's limit every connection stalls, the bystander's included.
  let tcpPagesPeak = 0;
  const tcpTimeline: string[] = [];
  const kernel = setInterval(() => {
    const pages = Number(/TCP:.* mem (\d+)/.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? 0);
    tcpPagesPeak = Math.max(tcpPagesPeak, pages);
    if (process.env.SOAK_DEBUG) tcpTimeline.push(`${Date.now() - started}:${pages}`);
  }, 100);
  const started = Date.now();
  if (process.env.SOAK_DEBUG) console.error(`senders ready, pacing starts t=${started % 100000}`);
  const until = started + seconds * 1000;
  let ref = 1;
  const pacing = setInterval(() => {
    const due = Math.floor(((Math.min(Date.now(), until) - started) / 1000) * PER_SECOND);
    for (const socket of senders) {
      const state = socket as WebSocket & { sent?: number };
      // A client late by its own fault (this process starved of CPU) does not catch up in one burst:
      // it skips what it missed beyond a second's worth, as a person typing would.
      state.sent = Math.max(state.sent ?? 0, due - PER_SECOND);
      for (; state.sent < due && socket.readyState === WebSocket.OPEN; state.sent++) {
        socket.send(JSON.stringify({ type: 'chat.send', room: ROOM, text: TEXT, ref: ++ref }));
      }
    }
  }, 10);

  // The bystander: publishes to its own topic, one request at a time, timing each ack.
  const latencies: number[] = [];
  const bystanderErrors: string[] = [];
  let bystanderClose: number | undefined;
  let answered: (() => void) | undefined;
  const bystander = await open(url, (text) => {
    if (text.startsWith('{"type":"ack"')) answered?.();
    else if (text.startsWith('{"type":"error"')) bystanderErrors.push(text);
  });
  bystander.on('close', (code) => (bystanderClose = code));
  for (let n = 0; Date.now() < until && bystanderClose === undefined; n++) {
    const sent = performance.now();
    await new Promise<void>((resolve) => {
      answered = resolve;
      bystander.send(JSON.stringify({ type: 'topic.publish', topic: 'bystander', data: { n }, ref: n + 1 }));
    });
    latencies.push(performance.now() - sent);
    if (process.env.SOAK_DEBUG && latencies.at(-1)! > 250) console.error(`slow ack at ${Date.now() - started} ms: ${Math.round(latencies.at(-1)!)} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  clearInterval(pacing);
  clearInterval(kernel);
  if (process.env.SOAK_DEBUG) console.error(`tcp pages: ${tcpTimeline.join(' ')}`);
  await new Promise((r) => setTimeout(r, 500));

  const all = samples();
  if (process.env.SOAK_DEBUG) for (const s of all) console.error(JSON.stringify(s));
  const during = all.slice(beforeIndex + 1);
  const peak = (pick: (s: Sample) => number) => Math.max(...during.map(pick));
  const minOpen = Math.min(...during.map((s) => s.open));
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(JSON.stringify({
    readers,
    seconds,
    connectS: +(connectMs / 1000).toFixed(1),
    load: loadAtStart,
    rssBefore: mib(before!.rss),
    rssPeak: mib(peak((s) => s.rss)),
    rssEnd: mib(all.at(-1)!.rss),
    bufferedPeak: before!.buffered === null ? 'n/a' : mib(peak((s) => s.buffered ?? 0)),
    readersShed: readers + SENDERS + 1 - minOpen,
    loopDelayMaxMs: Math.round(peak((s) => s.loopMaxMs)),
    kernelTcpPeak: mib(tcpPagesPeak * 4096),
    clientsLoopDelayMaxMs: Math.round(ownLoop.max / 1e6),
    bystander: {
      acks: latencies.length, p99Ms: Math.round(percentile(latencies, 99)), maxMs: Math.round(Math.max(...latencies)),
      closed: bystanderClose ?? null, errors: bystanderErrors.length,
    },
    senders: { sent: ref - 1, errors: senderErrors, closes: senderCloses },
  }));
  for (const socket of [...senders, bystander]) socket.terminate();
  readerProcess.kill();
  hub.kill();
  await new Promise((r) => hub.once('exit', r));
}

// The readers live in a process of their own: the honest clients' process must not be the one busy
// with thousands of sockets, or their answers to the hub's pings (and the bystander's clock) would lag
// for the generator's sake, not the hub's.
if (process.env.SOAK_READERS_URL) {
  const url = process.env.SOAK_READERS_URL;
  const count = Number(process.env.SOAK_READERS_COUNT);
  const held: WebSocket[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    held.push(...(await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, () => reader(url)))));
  }
  console.log('ready');
  process.on('SIGTERM', () => process.exit(0));
  setInterval(() => undefined, 60_000);
} else {
  for (const readers of readerCounts) await soak(readers);
}
