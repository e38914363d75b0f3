// Thousands of short lives (connect, subscribe, track, chat, leave): afterwards the hub holds nothing.
import { describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter } from '@ghost/server';
import { startHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

describe('soak', () => {
  it('connect/subscribe/track/chat/disconnect cycles leave no connection, room, member, channel or name behind', async () => {
    const bus = createMemoryBus();
    const running = await startHub({ adapter: memoryAdapter({ bus }), tickMs: 5, graceMs: 50 });
    const heapBefore = process.memoryUsage().heapUsed;
    const cycles = 2000;
    const batch = 50;
    for (let done = 0; done < cycles; done += batch) {
      await Promise.all(Array.from({ length: batch }, async (_, i) => {
        const n = done + i;
        const client = await RawClient.connect(running.url);
        await client.next('welcome');
        client.send({ type: 'topic.subscribe', topic: `t${n % 7}`, ref: 1 });
        client.send({ type: 'presence.track', room: `r${n % 5}`, state: { n }, ref: 2 });
        client.send({ type: 'chat.identify', room: `c${n % 3}`, name: `user${n}`, ref: 3 });
        await waitFor(() => client.ofType('ack').length + client.ofType('error').length >= 3, 5000, 'the answers');
        expect(client.ofType('error')).toEqual([]);
        // Half leave politely; the other half drop, and wait out their grace period.
        if (n % 2) client.close(1000);
        else client.socket.terminate();
        await client.closed();
      }));
    }
    await waitFor(() => running.hub.stats().connections + running.hub.stats().resumable === 0, 5000, 'every connection to end');
    await waitFor(() => running.hub.stats().rooms === 0 && running.hub.stats().chatRooms === 0, 5000, 'every room to empty');
    expect(running.hub.stats()).toEqual({ connections: 0, resumable: 0, slow: 0, topics: 0, rooms: 0, chatRooms: 0, members: 0, bufferedBytes: 0 });
    for (let i = 0; i < 7; i++) expect(bus.subscriberCount(`ghost:topic:t${i}`)).toBe(0);
    for (let i = 0; i < 5; i++) expect(bus.subscriberCount(`ghost:presence:r${i}`)).toBe(0);
    for (let i = 0; i < 3; i++) expect(bus.subscriberCount(`ghost:chat:c${i}`)).toBe(0);
    expect(bus._store.claims.size).toBe(0); // every chat name was given back
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(`soak: ${cycles} cycles; heap ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB (not asserted)`);
  }, 60_000);
});
