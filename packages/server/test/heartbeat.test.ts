import { describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';

let running: RunningHub | undefined;

describe('heartbeat', () => {
  it('pings; a client that answers stays, one that is silent is dropped and leaves with "timeout"', async () => {
    running = await startHub({ heartbeatMs: 50, graceMs: 0, tickMs: 5 });
    const alive = await RawClient.connect(running.url);
    const silent = await RawClient.connect(running.url);
    const { id: silentId } = await silent.next('welcome');
    await alive.next('welcome');
    // `ws` answers protocol pings by itself, so only the app-level ping tells live from dead.
    alive.socket.on('message', (data) => {
      if (JSON.parse(data.toString()).type === 'ping') alive.send({ type: 'pong' });
    });
    alive.send({ type: 'presence.join', room: 'lobby' });
    silent.send({ type: 'presence.track', room: 'lobby', state: 1 });
    await alive.next('presence.diff');

    const leave = await alive.next('presence.diff', 2000);
    expect(leave.leaves).toEqual([{ id: silentId, reason: 'timeout' }]);
    expect(await silent.closed()).toBe(1006);
    expect(alive.ofType('ping').length).toBeGreaterThanOrEqual(2);
    expect(alive.closeCode).toBeUndefined();
  });

  it("a stall of the hub's own does not cut clients that answered: their pongs were waiting unread", async () => {
    running = await startHub({ heartbeatMs: 100, graceMs: 0, tickMs: 5 });
    const alive = await RawClient.connect(running.url);
    await alive.next('welcome');
    alive.socket.on('message', (data) => {
      if (JSON.parse(data.toString()).type === 'ping') alive.send({ type: 'pong' });
    });
    await alive.next('ping');
    await alive.next('ping'); // answered: the hub has heard from it within the last beat

    // The hub's process is blocked (a long GC, a starved CPU) for several heartbeat periods. Its timers
    // fire late, before the socket reads that hold the client's answers.
    const until = Date.now() + 700;
    while (Date.now() < until) { /* busy */ }

    const pingsBefore = alive.ofType('ping').length;
    await alive.next('ping');
    await alive.next('ping');
    expect(alive.ofType('ping').length).toBeGreaterThan(pingsBefore);
    expect(alive.closeCode).toBeUndefined();
  });
});
