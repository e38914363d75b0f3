import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryBus, memoryAdapter } from '@ghost/server';
import { startHub, type RunningHub } from '../../../test/helpers/hub.js';
import { RawClient } from '../../../test/helpers/raw-client.js';
import { waitFor } from '../../../test/helpers/wait.js';

const hubs: RunningHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.close()));
});

async function hub(options: Parameters<typeof startHub>[0] = {}) {
  const running = await startHub(options);
  hubs.push(running);
  return running;
}

let nextRef = 1;
async function request(client: RawClient, message: Record<string, unknown>) {
  const ref = nextRef++;
  client.send({ ...message, ref });
  return waitFor(() => client.messages.find((m) => (m.type === 'ack' || m.type === 'error') && m.ref === ref), 5000, `the answer to ${ref}`);
}

async function reader(url: string, room = 'fishing', name?: string) {
  const client = await RawClient.connect(url);
  const welcome = await client.next('welcome');
  await request(client, { type: 'chat.join', room });
  if (name) expect(await request(client, { type: 'chat.identify', room, name })).toMatchObject({ type: 'ack', result: { name } });
  return { client, id: welcome.id };
}

describe('chat', () => {
  it('stamps a message with name, id, time and sequence and delivers it to every reader, the sender included', async () => {
    const { url } = await hub();
    const ada = await reader(url, 'fishing', 'fishing_beast_5000');
    const bob = await reader(url, 'fishing');
    const hiker = await reader(url, 'hiking', 'hiker');
    const before = Date.now();
    const ack = await request(ada.client, { type: 'chat.send', room: 'fishing', text: 'I heard you have the best luck fishing in the morning' });
    expect(ack).toMatchObject({ type: 'ack', result: { seq: expect.any(Number), user: 'fishing_beast_5000', userId: ada.id, text: 'I heard you have the best luck fishing in the morning' } });
    const stamped = (ack as { result: { ts: number; id: string } }).result;
    expect(stamped.ts).toBeGreaterThanOrEqual(before);
    for (const c of [ada, bob]) expect((await c.client.next('chat.message')).message).toEqual((ack as { result: unknown }).result);
    // A message of the hiker's own room comes after: had the fishing one reached it, it came first.
    await request(hiker.client, { type: 'chat.send', room: 'hiking', text: 'anyone?' });
    await hiker.client.next('chat.message');
    expect(hiker.client.ofType('chat.message').map((m) => m.message.text)).toEqual(['anyone?']);
  });

  it('refuses sending before identify with NOT_IDENTIFIED, and a taken name with NAME_TAKEN, case and form aside', async () => {
    const { url } = await hub();
    const ada = await reader(url, 'fishing', 'Ada');
    const bob = await reader(url, 'fishing');
    expect(await request(bob.client, { type: 'chat.send', room: 'fishing', text: 'hi' })).toMatchObject({ code: 'NOT_IDENTIFIED' });
    expect(await request(bob.client, { type: 'chat.identify', room: 'fishing', name: 'ada' })).toMatchObject({ code: 'NAME_TAKEN' });
    expect(await request(bob.client, { type: 'chat.identify', room: 'fishing', name: ' ＡＤＡ ' })).toMatchObject({ code: 'NAME_TAKEN' });
    expect(await request(bob.client, { type: 'chat.identify', room: 'hiking', name: 'Ada' })).toMatchObject({ type: 'ack' });
    expect(await request(bob.client, { type: 'chat.identify', room: 'fishing', name: 'Ad\u202ea' })).toMatchObject({ code: 'INVALID_PAYLOAD' });
    // Renaming frees the old name.
    expect(await request(ada.client, { type: 'chat.identify', room: 'fishing', name: 'Ada L.' })).toMatchObject({ type: 'ack' });
    expect(await request(bob.client, { type: 'chat.identify', room: 'fishing', name: 'ada' })).toMatchObject({ type: 'ack' });
  });

  it('releases a name when its holder leaves the room, or when its connection ends after the grace period', async () => {
    // Carol's identify must land within the grace period: long enough for a loaded CI machine.
    const { url, hub: running } = await hub({ graceMs: 1000 });
    const ada = await reader(url, 'fishing', 'ada');
    const bob = await reader(url, 'fishing');
    await request(ada.client, { type: 'chat.leave', room: 'fishing' });
    expect(await request(bob.client, { type: 'chat.identify', room: 'fishing', name: 'ada' })).toMatchObject({ type: 'ack' });

    const carol = await reader(url, 'fishing');
    const bobEnded = new Promise<void>((resolve) => running.on('disconnect', (event) => void (event.id === bob.id && resolve())));
    bob.client.socket.terminate();
    expect(await request(carol.client, { type: 'chat.identify', room: 'fishing', name: 'ada' })).toMatchObject({ code: 'NAME_TAKEN' });
    await bobEnded; // the grace period ran out
    expect(await request(carol.client, { type: 'chat.identify', room: 'fishing', name: 'ada' })).toMatchObject({ type: 'ack' });
  });

  it('sends a newcomer the last messages, oldest first, capped at historySize', async () => {
    const { url } = await hub({ chat: { historySize: 3 } });
    const ada = await reader(url, 'fishing', 'ada');
    for (let i = 1; i <= 5; i++) await request(ada.client, { type: 'chat.send', room: 'fishing', text: `m${i}` });
    const late = await RawClient.connect(url);
    await late.next('welcome');
    late.send({ type: 'chat.join', room: 'fishing' });
    const history = await late.next('chat.history');
    expect(history.messages.map((m) => m.text)).toEqual(['m3', 'm4', 'm5']);
    const first = history.messages[0]!.seq;
    expect(history.messages.map((m) => m.seq)).toEqual([first, first + 1, first + 2]);
  });

  it('refuses a message over maxTextLength with TOO_LARGE, and keeps text as plain data', async () => {
    const { url } = await hub({ chat: { maxTextLength: 10 } });
    const ada = await reader(url, 'fishing', 'ada');
    expect(await request(ada.client, { type: 'chat.send', room: 'fishing', text: 'x'.repeat(11) })).toMatchObject({ code: 'TOO_LARGE' });
    const html = '<img src=x onerror=alert(1)>';
    const hub2 = await hub();
    const bob = await reader(hub2.url, 'r', 'bob');
    expect(await request(bob.client, { type: 'chat.send', room: 'r', text: html })).toMatchObject({ result: { text: html } });
  });

  it('across hubs on one bus: names are unique, history is shared, messages reach every node', async () => {
    const bus = createMemoryBus();
    const a = await hub({ adapter: memoryAdapter({ bus }) });
    const b = await hub({ adapter: memoryAdapter({ bus }) });
    const ada = await reader(a.url, 'fishing', 'ada');
    const onB = await reader(b.url, 'fishing');
    expect(await request(onB.client, { type: 'chat.identify', room: 'fishing', name: 'ADA' })).toMatchObject({ code: 'NAME_TAKEN' });
    await request(ada.client, { type: 'chat.send', room: 'fishing', text: 'from a' });
    expect((await onB.client.next('chat.message')).message).toMatchObject({ text: 'from a', seq: expect.any(Number) });
    const late = await RawClient.connect(b.url);
    await late.next('welcome');
    late.send({ type: 'chat.join', room: 'fishing' });
    expect((await late.next('chat.history')).messages.map((m) => m.text)).toEqual(['from a']);
    expect(bus.subscriberCount('ghost:chat:{fishing}')).toBe(2);
  });
});
