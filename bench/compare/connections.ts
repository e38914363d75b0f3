// Scenario 3, connection cost: open K connections (at most `concurrency` at a time) and measure the
// time until every one is usable, the server's CPU per connection, and the server's memory per
// connection (RSS and heap after a full GC, before and after).
//
// "Usable" is each stack's own notion: ws `open`; Socket.IO `connect` (engine.io handshake plus the
// Socket.IO CONNECT); Ghost status `open` (the hub's `welcome` arrived).
import path from 'node:path';
import { openOnly, type BenchClient } from './clients.js';
import { startServer, type StartOptions } from './server-handle.js';
import type { Stack } from './servers.js';
import { cpuSeconds, now, round, runGc, sleep } from './util.js';

export interface ConnectionsConfig {
  connections: number;
  concurrency: number;
}

export interface ConnectionsResult {
  stack: Stack;
  connections: number;
  concurrency: number;
  openMs: number;
  connectionsPerSec: number;
  serverConnectionsSeen: number;
  serverCpuUsPerConnection: number;
  serverRssKiBPerConnection: number;
  serverHeapKiBPerConnection: number;
  /** heapUsed + external + arrayBuffers, per connection. */
  serverAllKiBPerConnection: number;
  /** Heap of this (clients) process per connection; not meaningful with --inproc. */
  clientHeapKiBPerConnection: number;
  serverWhere: 'child' | 'inproc';
}

export async function runConnections(stack: Stack, config: ConnectionsConfig, options: StartOptions): Promise<ConnectionsResult> {
  const server = await startServer(stack, options);
  const clients: BenchClient[] = [];
  try {
    // One connection first so that lazily loaded code is not counted per connection.
    clients.push(await openOnly(stack, server.url));
    await sleep(200);
    const memBefore = await server.gcMemory();
    runGc();
    const clientHeapBefore = process.memoryUsage().heapUsed;
    const profileFile = options.profileDir && path.join(options.profileDir, `connections-${stack}.cpuprofile`);
    if (profileFile) await server.profileStart();
    const cpuBefore = await server.cpu();
    const startedAt = now();
    let next = 0;
    const worker = async () => {
      while (next < config.connections) {
        next += 1;
        clients.push(await openOnly(stack, server.url));
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, config.connections) }, worker));
    const openMs = now() - startedAt;
    const cpuAfter = await server.cpu();
    if (profileFile) await server.profileStop(profileFile);
    await sleep(500);
    const memAfter = await server.gcMemory();
    runGc();
    const clientHeapAfter = process.memoryUsage().heapUsed;
    const seen = (await server.usage()).connections;
    const k = config.connections;
    const kib = (bytes: number) => round(bytes / 1024 / k);
    const all = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external + m.arrayBuffers;
    return {
      stack,
      connections: k,
      concurrency: config.concurrency,
      openMs: round(openMs),
      connectionsPerSec: round(k / (openMs / 1000)),
      serverConnectionsSeen: seen - 1,
      serverCpuUsPerConnection: round((cpuSeconds(cpuBefore, cpuAfter) * 1e6) / k),
      serverRssKiBPerConnection: kib(memAfter.rss - memBefore.rss),
      serverHeapKiBPerConnection: kib(memAfter.heapUsed - memBefore.heapUsed),
      serverAllKiBPerConnection: kib(all(memAfter) - all(memBefore)),
      clientHeapKiBPerConnection: kib(clientHeapAfter - clientHeapBefore),
      serverWhere: server.where,
    };
  } finally {
    for (const c of clients) c.close();
    await sleep(200);
    await server.close();
  }
}
