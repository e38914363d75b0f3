// The jitter test at full size, as AnyCable ran it on the peers: clients whose links are cut at random
// every few seconds while the server publishes a numbered stream. Counts, per contender, what every
// client received: delivered once, lost, doubled, out of order.
//
//   npx tsx bench/jitter.ts [--clients 200] [--seconds 60] [--rate 50] [--cut-mean-s 3] [--only ghost,socketio-recovery,socketio]
//
// The server runs in a child process; the clients connect through a TCP proxy in this process that
// drops one random link at a time (both directions destroyed, no close frame: a network cut). Each
// contender uses its own defaults for reconnecting; Ghost's topic is recoverable, Socket.IO runs with
// and without `connectionStateRecovery`.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

type Contender = 'ghost' | 'socketio-recovery' | 'socketio';
const CONTENDERS: Contender[] = ['ghost', 'socketio-recovery', 'socketio'];

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

// ---- the server side (a child process): publishes 1..N at a fixed rate once told to start ----

async function serve(contender: Contender): Promise<void> {
  const rate = Number(flag('rate', '50'));
  const seconds = Number(flag('seconds', '60'));
  const server = http.createServer();
  let publish: (n: number) => void;
  if (contender === 'ghost') {
    const { createHub } = await import('@ghost/server');
    // History for the whole run, so a client away for a long time still gets everything.
    const hub = createHub({ recovery: { topics: ['numbers'], historySize: rate * seconds + 100 } });
    hub.attach(server, { path: '/ghost' });
    publish = (n) => void hub.publish('numbers', n);
  } else {
    const { Server } = await import('socket.io');
    const io = new Server(server, {
      transports: ['websocket'],
      ...(contender === 'socketio-recovery' && { connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000 } }),
    });
    publish = (n) => void io.emit('n', n);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send!({ port: (server.address() as AddressInfo).port });
  process.once('message', () => {
    let n = 0;
    const total = rate * seconds;
    const started = Date.now();
    // Paced against the clock, not by setInterval's drift: message k goes out at k / rate seconds.
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
      while (n < due) publish(++n);
      if (n === total) {
        clearInterval(tick);
        process.send!({ sent: n });
      }
    }, 5);
  });
}

// ---- the measuring side ----

/** A TCP proxy that can cut one random live link, as a flaky network does. */
async function startProxy(target: number) {
  const links = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    const link: [net.Socket, net.Socket] = [client, upstream];
    links.add(link);
    for (const socket of link) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        links.delete(link);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cutOne(): boolean {
      const all = [...links];
      const link = all[Math.floor(Math.random() * all.length)];
      if (!link) return false;
      link[0].destroy();
      link[1].destroy();
      return true;
    },
    close: () => new Promise<void>((resolve) => {
      for (const [a, b] of links) a.destroy(), b.destroy();
      server.close(() => resolve());
    }),
  };
}

interface Reader {
  received: number[];
  /** The client's own view, for a reader that did not get everything. */
  state(): string;
  close(): void;
}

async function connectReaders(contender: Contender, port: number, count: number): Promise<Reader[]> {
  const readers: Reader[] = [];
  if (contender === 'ghost') {
    const { createClient } = await import('@ghost/client');
    for (let i = 0; i < count; i++) {
      const client = createClient(`ws://127.0.0.1:${port}/ghost`);
      const received: number[] = [];
      client.topic('numbers').subscribe((n) => received.push(n as number));
      readers.push({ received, state: () => `status ${client.status}`, close: () => void client.close() });
    }
  } else {
    const { io } = await import('socket.io-client');
    for (let i = 0; i < count; i++) {
      const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
      const received: number[] = [];
      socket.on('n', (n: number) => received.push(n));
      readers.push({ received, state: () => `connected ${socket.connected}`, close: () => void socket.close() });
    }
  }
  return readers;
}

interface Result {
  contender: Contender;
  clients: number;
  sent: number;
  cuts: number;
  expected: number;
  deliveredOnce: number;
  lost: number;
  doubled: number;
  outOfOrder: number;
  catchUpMs: number;
}

function tally(contender: Contender, readers: Reader[], sent: number, cuts: number, catchUpMs: number): Result {
  let deliveredOnce = 0;
  let doubled = 0;
  let outOfOrder = 0;
  for (const { received } of readers) {
    const unique = new Set(received);
    deliveredOnce += [...unique].filter((n) => n >= 1 && n <= sent).length;
    doubled += received.length - unique.size;
    for (let i = 1; i < received.length; i++) if (received[i]! < received[i - 1]!) outOfOrder++;
  }
  const expected = sent * readers.length;
  return { contender, clients: readers.length, sent, cuts, expected, deliveredOnce, lost: expected - deliveredOnce, doubled, outOfOrder, catchUpMs };
}

async function run(contender: Contender, clients: number, cutMeanS: number): Promise<Result> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', contender, ...process.argv.slice(2)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (m) => resolve(m as { port: number })));
  const proxy = await startProxy(port);
  const readers = await connectReaders(contender, proxy.port, clients);
  await new Promise((resolve) => setTimeout(resolve, 2000)); // every reader connected and subscribed
  const done = new Promise<number>((resolve) => child.on('message', (m) => 'sent' in (m as object) && resolve((m as { sent: number }).sent)));
  child.send('start');
  let cuts = 0;
  // One cut every mean/clients seconds: each link is cut every `cutMeanS` seconds on average.
  const chaos = setInterval(() => proxy.cutOne() && cuts++, (cutMeanS * 1000) / clients);
  const sent = await done;
  clearInterval(chaos);
  const ended = Date.now();
  let catchUpMs = 0;
  // Up to 30 s for everyone to come back and catch up; what has not arrived by then counts as lost.
  while (Date.now() - ended < 30_000) {
    if (readers.every((r) => new Set(r.received).size >= sent)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  catchUpMs = Date.now() - ended;
  const result = tally(contender, readers, sent, cuts, catchUpMs);
  for (const reader of readers) {
    const got = new Set(reader.received);
    const missing = Array.from({ length: sent }, (_, i) => i + 1).filter((n) => !got.has(n));
    if (missing.length === 0) continue;
    const ranges: string[] = [];
    for (let i = 0; i < missing.length; i++) {
      let j = i;
      while (j + 1 < missing.length && missing[j + 1] === missing[j]! + 1) j++;
      ranges.push(i === j ? `${missing[i]}` : `${missing[i]}–${missing[j]}`);
      i = j;
    }
    console.log(`  a reader missed ${missing.length} (${ranges.slice(0, 6).join(', ')}${ranges.length > 6 ? ', …' : ''}); last received ${reader.received.at(-1)}; ${reader.state()}`);
  }
  for (const reader of readers) reader.close();
  await proxy.close();
  child.kill();
  return result;
}

async function main(): Promise<void> {
  const clients = Number(flag('clients', '200'));
  const cutMeanS = Number(flag('cut-mean-s', '3'));
  const only = flag('only', CONTENDERS.join(',')).split(',') as Contender[];
  console.log(`jitter: ${clients} clients, ${flag('seconds', '60')} s at ${flag('rate', '50')} msg/s, each link cut every ${cutMeanS} s on average`);
  const results: Result[] = [];
  for (const contender of only) {
    const result = await run(contender, clients, cutMeanS);
    results.push(result);
    console.log(JSON.stringify(result));
  }
  console.log('\n| contender | clients | messages | links cut | delivered once | lost | doubled | out of order | caught up after |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const pct = ((r.deliveredOnce / r.expected) * 100).toFixed(2);
    console.log(`| ${r.contender} | ${r.clients} | ${r.sent} | ${r.cuts} | ${pct}% (${r.deliveredOnce}/${r.expected}) | ${r.lost} | ${r.doubled} | ${r.outOfOrder} | ${(r.catchUpMs / 1000).toFixed(1)} s |`);
  }
  process.exit(0);
}

const serving = process.argv.indexOf('--serve');
if (serving >= 0) void serve(process.argv[serving + 1] as Contender);
else void main();
