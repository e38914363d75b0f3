import { describe, expect, it } from 'vitest';
import { GhostError, type ChatMessage, type ClientOptions } from '@ghost/client';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { FAST_BACKOFF, openClient } from '../../../test/helpers/clients.js';
import { waitFor } from '../../../test/helpers/wait.js';

let running: RunningHub | undefined;

const client = (url: string, options: ClientOptions = {}) => openClient(url, { ...FAST_BACKOFF, ...options });

describe('chat handle', () => {
  it('send resolves with the stamped message, and every member receives it, the sender included', async () => {
    running = await startHub();
    const ada = client(running.url);
    const bob = client(running.url);
    const got: [string, ChatMessage][] = [];
    ada.chat('fishing').on('message', (m) => got.push(['ada', m]));
    bob.chat('fishing').on('message', (m) => got.push(['bob', m]));
    // The hub sends the history once it counts bob among the room's readers.
    let bobJoined = false;
    bob.chat('fishing').on('history', () => (bobJoined = true));
    expect(await ada.chat('fishing').identify('fishing_beast_5000')).toBe('fishing_beast_5000');
    expect(ada.chat('fishing').name).toBe('fishing_beast_5000');
    await waitFor(() => running!.hub.stats().chatRooms === 1 && bobJoined);
    const sent = await ada.chat('fishing').send('I heard you have the best luck fishing in the morning');
    expect(sent).toMatchObject({ seq: expect.any(Number), user: 'fishing_beast_5000', userId: ada.self!.id, text: 'I heard you have the best luck fishing in the morning' });
    await waitFor(() => got.length === 2);
    expect(got).toHaveLength(2);
    expect(got).toEqual(expect.arrayContaining([['ada', sent], ['bob', sent]]));
    expect(bob.chat('fishing').history).toEqual([sent]);
  });

  it('rejects a taken name with NAME_TAKEN and sending before identify with NOT_IDENTIFIED', async () => {
    running = await startHub();
    const ada = client(running.url);
    const bob = client(running.url);
    await ada.chat('fishing').identify('ada');
    const taken = await bob.chat('fishing').identify('Ada').catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(GhostError);
    expect((taken as GhostError).code).toBe('NAME_TAKEN');
    await expect(bob.chat('fishing').send('hi')).rejects.toMatchObject({ code: 'NOT_IDENTIFIED' });
  });

  it('fills history on join without replaying it as message events', async () => {
    running = await startHub();
    const ada = client(running.url);
    await ada.chat('fishing').identify('ada');
    for (const text of ['one', 'two', 'three']) await ada.chat('fishing').send(text);
    const late = client(running.url);
    const events: string[] = [];
    late.chat('fishing').on('message', (m) => events.push(m.text));
    await waitFor(() => late.chat('fishing').history.length === 3);
    expect(late.chat('fishing').history.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    await ada.chat('fishing').send('four');
    await waitFor(() => events.length === 1);
    expect(events).toEqual(['four']);
    expect(Object.isFrozen(late.chat('fishing').history)).toBe(true);
  });

  it('after a hub restart: reclaims its name, and receives what it missed as messages, once', async () => {
    running = await startHub();
    const port = running.port;
    const ada = client(running.url);
    await ada.chat('fishing').identify('ada');
    await ada.chat('fishing').send('before');
    const texts: string[] = [];
    ada.chat('fishing').on('message', (m) => texts.push(m.text));
    await running.close();
    await waitFor(() => ada.status === 'reconnecting');
    const queued = ada.chat('fishing').send('while away');
    running = await startHub({}, port);
    expect(await queued).toMatchObject({ user: 'ada', text: 'while away' });
    await waitFor(() => texts.includes('while away'));
    // The room's next message: a repeat of what was missed would come before it.
    await ada.chat('fishing').send('after');
    await waitFor(() => texts.includes('after'));
    expect(texts).toEqual(['while away', 'after']);
    expect(ada.chat('fishing').name).toBe('ada');
  });

  it('says so through the error event when its name was taken while it was away', async () => {
    running = await startHub({ graceMs: 0 });
    const port = running.port;
    // Holds ada's reconnection back until the thief has taken her name.
    let open!: () => void;
    let gate: Promise<void> | undefined;
    const ada = client(running.url, { params: async () => (await gate, {}) });
    await ada.chat('fishing').identify('ada');
    const errors: GhostError[] = [];
    ada.on('error', (e) => errors.push(e));
    gate = new Promise((resolve) => (open = resolve));
    await running.close();
    await waitFor(() => ada.status === 'reconnecting');
    running = await startHub({ graceMs: 0 }, port);
    const thief = client(running.url);
    expect(await thief.chat('fishing').identify('ada')).toBe('ada');
    open();
    await waitFor(() => errors.length === 1);
    expect(errors[0]!.code).toBe('NAME_TAKEN');
    expect(ada.chat('fishing').name).toBeUndefined();
    expect(ada.status).toBe('open');
  });
});

describe('chat across nodes', () => {
  it('keeps every message when they arrive out of sequence order, and fires history when it is filled', async () => {
    const { createMemoryBus, memoryAdapter } = await import('@ghost/server');
    const bus = createMemoryBus();
    // A bus that delays each frame by 0–3 ms, as a network does: messages from two nodes interleave.
    const jittery = () => {
      const adapter = memoryAdapter({ bus });
      const publish = adapter.publish.bind(adapter);
      adapter.publish = (channel, frame) =>
        new Promise((resolve) => setTimeout(() => resolve(publish(channel, frame)), Math.random() * 3));
      return adapter;
    };
    const [a, b] = [await startHub({ adapter: jittery() }), await startHub({ adapter: jittery() })];
    const reader = client(b.url);
    let historyEvents = 0;
    reader.chat('r').on('history', () => historyEvents++);
    const received: string[] = [];
    reader.chat('r').on('message', (m) => received.push(m.text));
    await waitFor(() => historyEvents === 1);
    const [x, y] = [client(a.url), client(b.url)];
    await x.chat('r').identify('x');
    await y.chat('r').identify('y');
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? x : y).chat('r').send(`m${i}`)));
    await waitFor(() => received.length === 40, 5000, 'all 40 messages');
    expect(new Set(received).size).toBe(40);
    expect(reader.chat('r').history).toHaveLength(40);
  });
});
