// Scenario 1, fan-out throughput: one topic/room, N subscribers, one publisher sending M small JSON
// messages `{ text: 'hello', n, t }` as fast as the stack takes them, with at most `window` messages
// not yet delivered to every subscriber. Measures deliveries per second (N×M / time until the last
// subscriber got the last message), end-to-end latency (publisher stamp → subscriber handler) and the
// server's CPU time per delivery.
import path from 'node:path';
import { fanPublisher, fanSubscriber, type BenchClient, type FanData, type FanPublisher } from './clients.js';
import { startServer, type ServerHandle, type StartOptions } from './server-handle.js';
import type { Stack } from './servers.js';
import { cpuSeconds, now, round, Samples, sleep } from './util.js';

export interface FanoutConfig {
  subscribers: number;
  messages: number;
  /** Messages in flight at most: sent but not yet delivered to every subscriber. */
  window: number;
  /** Messages of an unmeasured first round (connections warm, JIT done). */
  warmup: number;
  /** A round that takes longer stops here and is reported as timed out. */
  timeoutMs: number;
}

/** 'client': a client of the stack publishes. 'server': the server publishes (Ghost's `hub.publish`). */
export type Publisher = 'client' | 'server';

export interface FanoutResult {
  stack: Stack;
  publisher: Publisher;
  /** Ghost only: bare `ws` sockets speaking the protocol instead of @ghost/client (see clients.ts). */
  rawClients: boolean;
  subscribers: number;
  messages: number;
  window: number;
  delivered: number;
  timedOut: boolean;
  elapsedMs: number;
  deliveriesPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  serverCpuSec: number;
  /** Server CPU time / elapsed time (1 = one core busy). */
  serverCpuShare: number;
  serverCpuUsPerDelivery: number;
  /** The kernel's part of it (system time): mostly the write syscalls and, on loopback, the receiving side of TCP. */
  serverSysUsPerDelivery: number;
  /**
   * Write system calls of the server per delivered message (from /proc; NaN elsewhere). One per frame
   * means every frame cost a syscall; fewer means frames to one socket were written together.
   */
  serverWriteSyscallsPerDelivery: number;
  /** CPU of the process running the clients (and the server with --inproc) / elapsed time. */
  clientCpuShare: number;
  /** Bytes of one delivered message as a subscriber receives it (payload; wire adds 2). */
  payloadBytesPerDelivery: number;
  serverWhere: 'child' | 'inproc';
}

const ROOM = 'bench';
const CONNECT_CONCURRENCY = 50;

class Round {
  readonly delivered: Uint32Array;
  fully = 0;
  received = 0;
  lastAt = 0;
  readonly latency = new Samples(2_000_000);
  readonly done: Promise<void>;
  private finish!: () => void;
  constructor(readonly count: number, readonly subscribers: number, readonly onAdvance: (fully: number) => void) {
    this.delivered = new Uint32Array(count);
    this.done = new Promise((resolve) => (this.finish = resolve));
    if (count === 0) this.finish();
  }
  receive(n: number, sentAt: number, at: number): void {
    this.latency.add(at - sentAt);
    this.received += 1;
    this.lastAt = at;
    if (++this.delivered[n]! === this.subscribers && n === this.fully) {
      while (this.fully < this.count && this.delivered[this.fully] === this.subscribers) this.fully += 1;
      this.onAdvance(this.fully);
      if (this.fully === this.count) this.finish();
    }
  }
}

export async function runFanout(stack: Stack, publisherKind: Publisher, config: FanoutConfig, options: StartOptions, rawClients = false): Promise<FanoutResult> {
  const server = await startServer(stack, options);
  const subscribers: BenchClient[] = [];
  let publisher: FanPublisher | undefined;
  try {
    const ready = new Uint8Array(config.subscribers);
    let readyCount = 0;
    let current: Round | undefined;
    // Server stamps are in the server's clock: bring them to ours.
    const offset = publisherKind === 'server' ? server.clockOffset : 0;

    for (let i = 0; i < config.subscribers; i += CONNECT_CONCURRENCY) {
      const batch = [];
      for (let j = i; j < Math.min(config.subscribers, i + CONNECT_CONCURRENCY); j++) {
        batch.push(
          fanSubscriber(stack, server.url, ROOM, (data: FanData) => {
            const at = now();
            if (data.n < 0) {
              if (!ready[j]) {
                ready[j] = 1;
                readyCount += 1;
              }
              return;
            }
            current?.receive(data.n, data.t - offset, at);
          }, rawClients),
        );
      }
      subscribers.push(...(await Promise.all(batch)));
    }
    // Also used for the readiness probes of the server-publish variant.
    publisher = await fanPublisher(stack, server.url, ROOM, rawClients);

    // Every subscription is live once each subscriber has got a probe.
    const probeDeadline = Date.now() + 20_000;
    while (readyCount < config.subscribers) {
      if (Date.now() > probeDeadline) throw new Error(`${stack}: only ${readyCount}/${config.subscribers} subscribers got a probe`);
      publisher.publish({ text: 'hello', n: -1, t: now() });
      await sleep(20);
    }
    await sleep(100); // stragglers of the probes

    const runRound = async (count: number, profileFile?: string) => {
      let sent = 0;
      let pump: () => void;
      let serverRun: ReturnType<ServerHandle['serverPublish']> | undefined;
      let reported = 0;
      const step = Math.max(1, Math.floor(config.window / 4));
      const round_ = new Round(count, config.subscribers, (fully) => {
        if (serverRun) {
          if (fully - reported >= step || fully === count) {
            reported = fully;
            serverRun.progress(fully);
          }
        } else pump();
      });
      pump = () => {
        while (sent < count && sent - round_.fully < config.window) {
          publisher!.publish({ text: 'hello', n: sent, t: now() });
          sent += 1;
        }
      };
      for (const s of subscribers) s.counter.reset();
      current = round_;
      if (profileFile) await server.profileStart();
      const serverBefore = await server.cpu();
      const writesBefore = server.writeSyscalls();
      const clientBefore = process.cpuUsage();
      const startedAt = now();
      if (publisherKind === 'server') {
        serverRun = server.serverPublish(ROOM, count, config.window);
        serverRun.done.catch((error) => console.error('[bench] server publish failed:', error));
      } else pump();
      let timedOut = false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([round_.done, new Promise<void>((resolve) => (timer = setTimeout(() => ((timedOut = true), resolve()), config.timeoutMs)))]);
      clearTimeout(timer);
      const endedAt = timedOut ? now() : round_.lastAt;
      const clientAfter = process.cpuUsage();
      const serverAfter = await server.cpu();
      const writesAfter = server.writeSyscalls();
      if (profileFile) await server.profileStop(profileFile);
      if (serverRun) await Promise.race([serverRun.done, sleep(1000)]).catch(() => undefined);
      current = undefined;
      const writes = writesBefore === undefined || writesAfter === undefined ? NaN : writesAfter - writesBefore;
      const serverSys = (serverAfter.system - serverBefore.system) / 1e6;
      return { round: round_, timedOut, elapsedMs: endedAt - startedAt, serverCpu: cpuSeconds(serverBefore, serverAfter), serverSys, clientCpu: cpuSeconds(clientBefore, clientAfter), writes };
    };

    await runRound(config.warmup);
    await sleep(200);
    const { round: measured, timedOut, elapsedMs, serverCpu, serverSys, clientCpu, writes } = await runRound(
      config.messages,
      options.profileDir && path.join(options.profileDir, `fanout-${config.subscribers}-${stack}${publisherKind === 'server' ? '-hubpublish' : ''}${rawClients ? '-raw' : ''}.cpuprofile`),
    );
    const [p50, p90, p99, max] = measured.latency.percentiles(50, 90, 99, 100);
    let frames = 0;
    let payload = 0;
    for (const s of subscribers) {
      frames += s.counter.frames;
      payload += s.counter.payloadBytes;
    }
    const seconds = elapsedMs / 1000;
    return {
      stack,
      publisher: publisherKind,
      rawClients,
      subscribers: config.subscribers,
      messages: config.messages,
      window: config.window,
      delivered: measured.received,
      timedOut,
      elapsedMs: round(elapsedMs),
      deliveriesPerSec: round(measured.received / seconds),
      latencyMs: { p50: round(p50!), p90: round(p90!), p99: round(p99!), max: round(max!) },
      serverCpuSec: round(serverCpu),
      serverCpuShare: round(serverCpu / seconds),
      serverCpuUsPerDelivery: round((serverCpu * 1e6) / Math.max(1, measured.received)),
      serverSysUsPerDelivery: round((serverSys * 1e6) / Math.max(1, measured.received)),
      serverWriteSyscallsPerDelivery: round(writes / Math.max(1, measured.received)),
      clientCpuShare: round(clientCpu / seconds),
      payloadBytesPerDelivery: round(payload / Math.max(1, frames)),
      serverWhere: server.where,
    };
  } finally {
    publisher?.close();
    for (const s of subscribers) s.close();
    await sleep(100);
    await server.close();
  }
}
