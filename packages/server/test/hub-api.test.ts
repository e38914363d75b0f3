import { describe, expect, it } from 'vitest';
import { getHeapStatistics } from 'node:v8';
import { createHub, DEFAULT_CHAT, DEFAULT_LIMITS } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

describe('hub API', () => {
  it('broadcast reaches every connection', async () => {
    running = await startHub();
    const clients = await Promise.all([1, 2, 3].map(() => RawClient.connect(running!.url)));
    for (const c of clients) await c.next('welcome');
    await running.hub.broadcast({ ping: 2 });
    for (const c of clients) expect(await c.next('broadcast')).toMatchObject({ data: { ping: 2 } });
  });

  it('sendTo reaches one connection by id, or every connection of a user by user id', async () => {
    let n = 0;
    running = await startHub({ authenticate: () => ({ id: n++ < 2 ? 'ada' : 'bob' }) });
    const [ada1, ada2, bob] = await Promise.all([1, 2, 3].map(() => RawClient.connect(running!.url)));
    const ids = await Promise.all([ada1!, ada2!, bob!].map(async (c) => (await c.next('welcome')).id));

    await running.hub.sendTo(ids[2]!, 'for bob');
    expect(await bob!.next('direct')).toMatchObject({ data: 'for bob' });
    await running.hub.sendTo('ada', 'for ada');
    expect(await ada1!.next('direct')).toMatchObject({ data: 'for ada' });
    expect(await ada2!.next('direct')).toMatchObject({ data: 'for ada' });
    // A broadcast to all comes after anything else sent to them so far.
    await running.hub.broadcast('later');
    for (const c of [ada1!, ada2!, bob!]) await c.next('broadcast');
    expect(bob!.ofType('direct')).toHaveLength(1);
    expect(ada1!.ofType('direct')).toHaveLength(1);
    expect(ada2!.ofType('direct')).toHaveLength(1);
  });

  it('stats counts connections, topics, rooms and members of this node', async () => {
    running = await startHub({ tickMs: 5 });
    expect(running.hub.stats()).toEqual({ connections: 0, resumable: 0, slow: 0, topics: 0, rooms: 0, chatRooms: 0, members: 0, bufferedBytes: 0 });
    const a = await RawClient.connect(running.url);
    await a.next('welcome');
    a.send({ type: 'topic.subscribe', topic: 't', ref: 1 });
    a.send({ type: 'presence.track', room: 'r', state: 1, ref: 2 });
    a.send({ type: 'chat.join', room: 'c', ref: 3 });
    for (let i = 0; i < 3; i++) await a.next('ack');
    expect(running.hub.stats()).toEqual({ connections: 1, resumable: 0, slow: 0, topics: 1, rooms: 1, chatRooms: 1, members: 1, bufferedBytes: 0 });
    a.close(1000);
    await waitFor(() => running!.hub.stats().connections === 0);
    await waitFor(() => running!.hub.stats().rooms === 0);
    expect(running.hub.stats()).toEqual({ connections: 0, resumable: 0, slow: 0, topics: 0, rooms: 0, chatRooms: 0, members: 0, bufferedBytes: 0 });
  });

  it('close() tells every client 1001 and stops accepting', async () => {
    running = await startHub();
    const client = await RawClient.connect(running.url);
    await client.next('welcome');
    const disconnects: string[] = [];
    running.hub.on('disconnect', ({ reason, code }) => disconnects.push(`${code} ${reason}`));
    await running.hub.close();
    expect(await client.closed()).toBe(1001);
    expect(disconnects).toEqual(['1001 disconnected']);
    await expect(RawClient.connect(running.url)).rejects.toThrow();
  });

  it('rejects bad options with a TypeError that says the fix', () => {
    expect(() => createHub({ heartbeatMs: -1 })).toThrow(/heartbeatMs must be a number ≥ 10/);
    expect(() => createHub({ limits: { maxFrames: 1 } as never })).toThrow(/unknown limit "maxFrames"; known limits: maxFrameBytes/);
    expect(() => createHub({ authenticate: 'yes' as never })).toThrow(TypeError);
    expect(() => createHub({ nodeHeartbeatMs: 1000, nodeTimeoutMs: 800 })).toThrow(/must be longer than nodeHeartbeatMs/);
    expect(() => createHub({ presenceKey: 'tab' as never })).toThrow(/presenceKey must be 'connection' or 'user'/);
    expect(() => createHub({ adapter: {} as never })).toThrow(/memoryAdapter\(\)/);
    expect(DEFAULT_LIMITS.maxFrameBytes).toBeLessThan(1024 * 1024);
    expect(DEFAULT_CHAT).toEqual({ historySize: 50, historyTtlMs: 7 * 24 * 3_600_000, maxTextLength: 2000, claimTtlMs: 30_000, names: 'any' });
    expect(() => createHub({ chat: { names: 'latin' as never } })).toThrow(/chat.names must be 'any' or 'single-script'/);
    // The hub-wide send budget follows the heap the process was given.
    expect(DEFAULT_LIMITS.maxHubBufferedBytes).toBe(Math.floor(getHeapStatistics().heap_size_limit / 4));
    expect(() => createHub({ chat: { historySize: -1 } })).toThrow(/chat.historySize must be a number ≥ 0/);
    expect(() => createHub({ chat: { historyTtlMs: -1 } })).toThrow(/chat.historyTtlMs must be a number of ms ≥ 1, or 0 \/ Infinity to keep for ever, got -1/);
    expect(() => createHub({ recovery: { topics: true, ttlMs: '1d' as never } })).toThrow(/recovery.ttlMs must be a number of ms ≥ 1, or 0 \/ Infinity/);
    expect(() => createHub({ recovery: { topics: true, ttlMs: Number.NaN } })).toThrow(TypeError);
  });

  it('an error listener receives hook faults instead of the process', async () => {
    running = await startHub();
    const errors: Error[] = [];
    running.hub.on('error', (e) => errors.push(e));
    running.hub.on('connection', () => { throw new Error('listener bug'); });
    const client = await RawClient.connect(running.url);
    await client.next('welcome');
    client.send({ type: 'topic.subscribe', topic: 't', ref: 1 });
    expect(await client.next('ack')).toMatchObject({ ref: 1 });
    expect(errors.map((e) => e.message)).toEqual(['listener bug']);
  });
});
