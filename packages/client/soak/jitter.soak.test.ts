// A soak, not a test of the default run (`npm run test:soak`, the `soak` project): 15 s of connections
// cut at random while the server publishes. Randomness and duration are what it is about, so it runs
// apart from the tests that must pass the same way every time.
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openClient } from '../../../test/helpers/clients.js';
import { startHub } from '../../../test/helpers/hub.js';
import { sleep, waitFor } from '../../../test/helpers/wait.js';

describe('jitter', () => {
  it('clients whose connections are cut at random receive a numbered stream exactly once, in order', async () => {
    const hub = await startHub({ recovery: { topics: ['numbers'] }, graceMs: 5000 });
    // Every upgraded socket, resumed ones included: the chaos picks among those still alive.
    const live = new Set<Socket>();
    hub.server.on('upgrade', (_request, socket: Socket) => {
      live.add(socket);
      socket.once('close', () => live.delete(socket));
    });
    const readers = Array.from({ length: 10 }, () => openClient(hub.url, { backoff: { minDelayMs: 10, maxDelayMs: 200 } }));
    const received = readers.map(() => [] as number[]);
    readers.forEach((r, i) => r.topic('numbers').subscribe((n) => received[i]!.push(n as number)));
    await waitFor(() => readers.every((r) => r.status === 'open') && hub.hub.stats().topics === 1);

    let sent = 0;
    let cuts = 0;
    const publisher = setInterval(() => void hub.hub.publish('numbers', ++sent), 10);
    const chaos = setInterval(() => {
      const sockets = [...live];
      const socket = sockets[Math.floor(Math.random() * sockets.length)];
      if (!socket) return;
      socket.destroy();
      cuts++;
    }, 100);
    await sleep(15_000); // the length of the soak: the cuts go on this long
    clearInterval(chaos);
    clearInterval(publisher);
    await waitFor(() => received.every((r) => r.length >= sent), 10_000, 'every reader to catch up');
    const expected = Array.from({ length: sent }, (_, i) => i + 1);
    const problems = received.map((r) => {
      const missing = expected.filter((n) => !r.includes(n));
      const doubled = r.filter((n, i) => r.indexOf(n) !== i);
      const outOfOrder = r.filter((n, i) => i > 0 && n < r[i - 1]!);
      return { missing, doubled, outOfOrder };
    });
    for (const p of problems) expect(p).toEqual({ missing: [], doubled: [], outOfOrder: [] });
    for (const r of received) expect(r).toEqual(expected);
    console.log(`jitter: ${sent} messages × ${readers.length} readers, ${cuts} connections cut, ${received.flat().length} delivered, 0 lost or doubled`);
  }, 45_000);
});
