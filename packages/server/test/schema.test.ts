import { describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { schema } from '../../../test/fixtures/schema.js';

let running: RunningHub | undefined;

describe('a typed hub', () => {
  it('refuses a presence state that does not match, naming the path, and keeps the member out', async () => {
    running = await startHub({ schema, tickMs: 5 });
    const client = await RawClient.connect(running.url);
    await client.next('welcome');
    client.send({ type: 'presence.track', room: 'lobby', state: { x: 1, y: 'two', name: 'ada' }, ref: 1 });
    const error = await client.next('error');
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD', ref: 1 });
    expect(error.message).toMatch(/presence state at y/);
    expect(running.hub.stats().members).toBe(0);
  });

  it('passes only the declared fields of a valid state on to others', async () => {
    running = await startHub({ schema, tickMs: 5 });
    const a = await RawClient.connect(running.url);
    const b = await RawClient.connect(running.url);
    await a.next('welcome');
    await b.next('welcome');
    b.send({ type: 'presence.join', room: 'lobby' });
    await b.next('presence.snapshot');
    a.send({ type: 'presence.track', room: 'lobby', state: { x: 1, y: 2, name: 'ada', isAdmin: true } });
    expect((await b.next('presence.diff')).joins?.[0]?.state).toEqual({ x: 1, y: 2, name: 'ada' });
  });

  it('checks broadcast data from server code against the schema', async () => {
    running = await startHub({ schema });
    await expect(running.hub.broadcast({ notice: 5 } as never)).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
    await expect(running.hub.broadcast({ notice: 'maintenance at noon' })).resolves.toBeUndefined();
  });
});
