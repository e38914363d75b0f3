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
});
