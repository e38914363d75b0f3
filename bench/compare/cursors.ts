// Scenario 2, cursor presence: N clients in one room, each sending its position at `hz` for S
// seconds. Measures, per receiver, frames/s, positions/s and bytes/s; the server's CPU; and the
// latency of a position (sender's stamp → receiver's handler).
//
// What a receiver gets differs by design: the relays (ws, Socket.IO) forward every update of every
// other member as its own frame; Ghost sends, once per tick (33 ms), one `presence.diff` frame with
// the newest state of each member that moved. Compare frames *and* bytes, and positions/s with that in
// mind: Ghost drops intermediate positions on purpose.
import path from 'node:path';
import { cursorClient, type CursorClient, type CursorState } from './clients.js';
import { startServer, type StartOptions } from './server-handle.js';
import type { Stack } from './servers.js';
import { cpuSeconds, now, round, Samples, sleep } from './util.js';

export interface CursorsConfig {
  members: number;
  seconds: number;
  hz: number;
}

export interface CursorsResult {
  stack: Stack;
  members: number;
  seconds: number;
  hz: number;
  /** Updates each member actually sent per second (the sending loop shares a core with every receiver). */
  sentHzPerMember: number;
  /** Per receiver, averaged over all members. */
  framesPerSec: number;
  positionsPerSec: number;
  payloadBytesPerSec: number;
  wireBytesPerSec: number;
  /** Positions received / positions the other members sent in the window. */
  positionsReceivedShare: number;
  latencyMs: { p50: number; p90: number; p99: number };
  serverCpuSec: number;
  serverCpuShare: number;
  /** Server CPU per update a member sent, in µs. */
  serverCpuUsPerUpdateIn: number;
  /** Write system calls of the server per second (from /proc; NaN elsewhere). */
  serverWriteSyscallsPerSec: number;
  clientCpuShare: number;
  /** Whether every member had seen every other before measuring. */
  allSawAll: boolean;
  serverWhere: 'child' | 'inproc';
}

const ROOM = 'lobby';
const CONNECT_CONCURRENCY = 50;
const SETTLE_MS = 1000;

export async function runCursors(stack: Stack, config: CursorsConfig, options: StartOptions): Promise<CursorsResult> {
  const server = await startServer(stack, options);
  const clients: CursorClient[] = [];
  let mover: NodeJS.Timeout | undefined;
  try {
    const epoch = now();
    const seen = Array.from({ length: config.members }, () => new Set<string>());
    let positions = 0;
    const latency = new Samples(2_000_000);
    let measuring = false;
    for (let i = 0; i < config.members; i += CONNECT_CONCURRENCY) {
      const batch = [];
      for (let j = i; j < Math.min(config.members, i + CONNECT_CONCURRENCY); j++) {
        batch.push(
          cursorClient(stack, server.url, ROOM, (id: string, state: CursorState) => {
            if (!measuring) {
              seen[j]!.add(id);
              return;
            }
            positions += 1;
            latency.add(now() - epoch - state.t);
          }),
        );
      }
      clients.push(...(await Promise.all(batch)));
    }

    // Everyone sees everyone before the 60 Hz load starts: one position each (again every 2 s if
    // needed), not a flood, so that a relay that cannot keep up has no backlog before the window.
    const position = (i: number, step: number) => {
      const a = (step * 2) / config.hz + (i * Math.PI * 2) / clients.length;
      return { x: Number((0.5 + 0.4 * Math.cos(a)).toFixed(4)), y: Number((0.5 + 0.4 * Math.sin(a)).toFixed(4)), t: Math.round((now() - epoch) * 10) / 10 };
    };
    const deadline = Date.now() + 15_000;
    const allSaw = () => seen.every((s) => s.size >= config.members - 1);
    while (!allSaw() && Date.now() < deadline) {
      clients.forEach((c, i) => c.move(position(i, 0)));
      for (let waited = 0; waited < 2000 && !allSaw(); waited += 20) await sleep(20);
    }
    const allSawAll = allSaw();

    // Started before the load (a flooded server may not answer later): the profile includes the settling second.
    const profileFile = options.profileDir && path.join(options.profileDir, `cursors-${config.members}-${stack}.cpuprofile`);
    if (profileFile) await server.profileStart();
    let moves = 0;
    let tick = 0;
    // Exactly `hz` on average (a plain setInterval rounds 16.7 ms down to 16): tick k is due at k/hz.
    const moveStart = performance.now();
    const move = () => {
      tick += 1;
      for (let i = 0; i < clients.length; i++) {
        clients[i]!.move(position(i, tick));
        moves += 1;
      }
      mover = setTimeout(move, Math.max(0, moveStart + ((tick + 1) * 1000) / config.hz - performance.now()));
    };
    mover = setTimeout(move, 0);
    await sleep(SETTLE_MS);

    for (const c of clients) c.counter.reset();
    positions = 0;
    latency.reset();
    moves = 0;
    const serverBefore = await server.cpu();
    const writesBefore = server.writeSyscalls();
    const clientBefore = process.cpuUsage();
    const startedAt = now();
    measuring = true;
    await sleep(config.seconds * 1000);
    measuring = false;
    const sentMoves = moves;
    const receivedPositions = positions;
    const elapsed = (now() - startedAt) / 1000;
    const clientAfter = process.cpuUsage();
    const serverAfter = await server.cpu();
    const writesAfter = server.writeSyscalls();
    if (profileFile) await server.profileStop(profileFile).catch((error) => console.error(`  (no profile: ${error.message})`));
    clearTimeout(mover);
    mover = undefined;

    let frames = 0;
    let payload = 0;
    let wire = 0;
    for (const c of clients) {
      frames += c.counter.frames;
      payload += c.counter.payloadBytes;
      wire += c.counter.wireBytes;
    }
    const n = config.members;
    const serverCpu = cpuSeconds(serverBefore, serverAfter);
    const [p50, p90, p99] = latency.percentiles(50, 90, 99);
    return {
      stack,
      members: n,
      seconds: config.seconds,
      hz: config.hz,
      sentHzPerMember: round(sentMoves / n / elapsed),
      framesPerSec: round(frames / n / elapsed),
      positionsPerSec: round(receivedPositions / n / elapsed),
      payloadBytesPerSec: round(payload / n / elapsed),
      wireBytesPerSec: round(wire / n / elapsed),
      positionsReceivedShare: round(receivedPositions / Math.max(1, sentMoves * (n - 1))),
      latencyMs: { p50: round(p50!), p90: round(p90!), p99: round(p99!) },
      serverCpuSec: round(serverCpu),
      serverCpuShare: round(serverCpu / elapsed),
      serverCpuUsPerUpdateIn: round((serverCpu * 1e6) / Math.max(1, sentMoves)),
      serverWriteSyscallsPerSec: writesBefore === undefined || writesAfter === undefined ? NaN : round((writesAfter - writesBefore) / elapsed),
      clientCpuShare: round(cpuSeconds(clientBefore, clientAfter) / elapsed),
      allSawAll,
      serverWhere: server.where,
    };
  } finally {
    clearTimeout(mover);
    for (const c of clients) c.close();
    await sleep(100);
    await server.close();
  }
}
