import { describe, expect, it } from 'vitest';
import { createClient, ErrorCode, GhostError, type ClientStatus, type GhostClient } from '@ghost/client';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { openClient } from '../../../test/helpers/clients.js';
import { waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

const client = openClient;

const opened = (c: GhostClient<any>) => waitFor(() => c.status === 'open', 3000, 'status open');

describe('createClient', () => {
  it('connects: status goes connecting → open, and self says who we are', async () => {
    running = await startHub();
    const c = client(running.url);
    const statuses: ClientStatus[] = [c.status];
    c.on('status', (s) => statuses.push(s));
    expect(c.self).toBeNull();
    await opened(c);
    expect(statuses).toEqual(['connecting', 'open']);
    expect(c.self).toMatchObject({ id: expect.any(String), color: expect.stringMatching(/^hsl/) });
  });

  it('topics: subscribe gets data and meta, publish resolves on the ack, unsubscribe stops it', async () => {
    running = await startHub();
    const a = client(running.url);
    const b = client(running.url);
    const got: unknown[] = [];
    const off = a.topic('world').subscribe((data, meta) => got.push([data, meta.from, meta.topic]));
    const later: unknown[] = [];
    a.topic('later').subscribe((data) => later.push(data));
    await opened(a);
    await opened(b);
    await waitFor(() => running!.hub.stats().topics === 2);
    await b.topic('world').publish({ text: 'Hello world!' });
    await waitFor(() => got.length === 1);
    expect(got[0]).toEqual([{ text: 'Hello world!' }, b.self!.id, 'world']);

    off();
    await waitFor(() => running!.hub.stats().topics === 1);
    await b.topic('world').publish('unheard');
    // b's next publish, to a topic a still has: had 'unheard' been sent to a, it would be in front.
    await b.topic('later').publish('heard');
    await waitFor(() => later.length === 1);
    expect(got).toHaveLength(1);
  });

  it('a subscribed publisher receives its own message (multicast to everyone, as seed 001 does)', async () => {
    running = await startHub();
    const a = client(running.url);
    const got: unknown[] = [];
    a.topic('echo').subscribe((d) => got.push(d));
    await a.topic('echo').publish(1);
    await waitFor(() => got.length === 1);
  });

  it('caches handles per name, with separate namespaces, and refuses bad names with INVALID_NAME', async () => {
    running = await startHub();
    const c = client(running.url);
    expect(c.topic('world')).toBe(c.topic('world'));
    expect(c.presence('world')).toBe(c.presence('world'));
    expect(c.presence('world')).not.toBe(c.topic('world'));
    expect(() => c.topic('two words')).toThrow(GhostError);
    try {
      c.presence('');
    } catch (error) {
      expect((error as GhostError).code).toBe(ErrorCode.INVALID_NAME);
    }
  });

  it('publish rejects with the hub error code when the hub refuses', async () => {
    running = await startHub({ limits: { maxFrameBytes: 65536, maxStateBytes: 10 } });
    const c = client(running.url);
    const errors: GhostError[] = [];
    c.on('error', (e) => errors.push(e));
    c.presence('lobby').track({ far: 'too large for ten bytes' });
    await waitFor(() => errors.length === 1);
    expect(errors[0]!.code).toBe('TOO_LARGE');
    expect(c.status).toBe('open');
  });

  it('receives broadcasts and direct messages as events; on() returns its unsubscribe', async () => {
    running = await startHub();
    const c = client(running.url);
    const got: unknown[] = [];
    const off = c.on('broadcast', (d) => got.push(['broadcast', d]));
    c.on('direct', (d) => got.push(['direct', d]));
    await opened(c);
    await running.hub.broadcast('b1');
    await running.hub.sendTo(c.self!.id, 'd1');
    await waitFor(() => got.length === 2);
    off();
    await running.hub.broadcast('b2');
    await running.hub.sendTo(c.self!.id, 'd2'); // sent after b2 on the same socket: b2 would be in front
    await waitFor(() => got.some((entry) => (entry as [string, unknown])[1] === 'd2'));
    expect(got).toEqual([['broadcast', 'b1'], ['direct', 'd1'], ['direct', 'd2']]);
  });

  it('close() ends the session at once and rejects what was still waiting with NOT_SENT', async () => {
    running = await startHub({ graceMs: 60_000 });
    const c = client(running.url);
    await opened(c);
    await waitFor(() => running!.hub.stats().connections === 1);
    await c.close();
    expect(c.status).toBe('closed');
    await waitFor(() => running!.hub.stats().connections + running!.hub.stats().resumable === 0);
    await expect(c.topic('x').publish(1)).rejects.toMatchObject({ code: 'NOT_SENT' });
  });

  it('rejects bad options with a TypeError that says the fix', () => {
    expect(() => createClient('')).toThrow(/pass the hub URL/);
    expect(() => createClient('/relative-outside-a-browser')).toThrow(/absolute/);
    expect(() => createClient('ftp://x/ghost')).toThrow(/ws:\/\/, wss:\/\//);
    expect(() => createClient('ws://x/ghost', { maxQueued: 0 })).toThrow(/maxQueued must be a number ≥ 1/);
  });
});

describe('close', () => {
  it('resolves once the hub has seen the socket go', async () => {
    const running = await startHub({ graceMs: 60_000 });
    const c = createClient(running.url);
    await waitFor(() => c.status === 'open');
    await c.close();
    expect(running.hub.stats()).toMatchObject({ connections: 0, resumable: 0 });
  });
});
