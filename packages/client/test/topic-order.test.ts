// A recoverable topic's messages reach the app in sequence order, each once, whatever order the hub's
// frames take (a replay overlapping live messages, another node's message still on the bus). The hub
// here is a bare `ws` server speaking the protocol by hand, so the test controls the order exactly.
import { describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '@ghost/protocol';
import { closeAfterTest } from '../../../test/helpers/cleanup.js';
import { openClient } from '../../../test/helpers/clients.js';
import { waitFor } from '../../../test/helpers/wait.js';

/** A hand-driven hub: welcomes each socket, records what the client sends, lets the test send frames. */
async function startScriptedHub() {
  const wss = new WebSocketServer({ port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  closeAfterTest(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  const received: Record<string, unknown>[] = [];
  let socket: WebSocket | undefined;
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.send(JSON.stringify({ type: 'welcome', v: PROTOCOL_VERSION, id: 'conn-1', color: 'red', resumed: false, resume: 'conn-1.s', heartbeatMs: 15_000, maxFrameBytes: 65_536 }));
  });
  const message = (seq: number) => JSON.stringify({ type: 'topic.message', topic: 'feed', data: seq, from: null, ts: Date.now(), seq });
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    received,
    send: (...seqs: number[]) => { for (const seq of seqs) socket!.send(message(seq)); },
    raw: (frame: unknown) => socket!.send(JSON.stringify(frame)),
    /** Sends what `write` sends in one TCP write, so the client reads it as one chunk. */
    together: (write: () => void) => {
      const tcp = (socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      tcp.cork();
      write();
      tcp.uncork();
    },
  };
}

async function subscribed() {
  const hub = await startScriptedHub();
  const client = openClient(hub.url);
  const got: number[] = [];
  let resets = 0;
  client.topic('feed').subscribe((n) => got.push(n as number));
  client.topic('feed').on('reset', () => resets++);
  await waitFor(() => hub.received.some((m) => m.type === 'topic.subscribe'));
  return { hub, client, got, resets: () => resets };
}

describe('a recoverable topic delivers in sequence order, once', () => {
  it('holds a message that arrives past a gap until the gap fills, and drops repeats', async () => {
    const { hub, got, resets } = await subscribed();
    hub.send(41, 43, 44, 42, 43, 45, 41);
    // The next message: any repeat the handle let through would come before it.
    hub.send(46);
    await waitFor(() => got.includes(46));
    expect(got).toEqual([41, 42, 43, 44, 45, 46]);
    expect(resets()).toBe(0);
  });

  it('asks the hub for a gap that does not fill by itself, and takes the replay', async () => {
    const { hub, got, resets } = await subscribed();
    hub.send(10, 12, 13);
    const ask = await waitFor(() => hub.received.find((m) => m.type === 'topic.subscribe' && m.since === 10), 3000, 'the ask for the gap');
    hub.send(11, 12, 13);
    hub.raw({ type: 'ack', ref: ask.ref });
    hub.send(14); // the next message: any repeat the handle let through would come before it
    await waitFor(() => got.includes(14));
    expect(got).toEqual([10, 11, 12, 13, 14]);
    expect(resets()).toBe(0);
  });

  it('asks again after an answer that did not fill the gap (it may be stale), and takes the replay then', async () => {
    const { hub, got, resets } = await subscribed();
    hub.send(10, 12);
    const asks = () => hub.received.filter((m) => m.type === 'topic.subscribe' && m.since === 10);
    await waitFor(() => asks().length === 1, 3000, 'the first ask');
    hub.raw({ type: 'ack', ref: asks()[0]!.ref }); // an answer with nothing in it
    await waitFor(() => asks().length === 2, 3000, 'a second ask');
    hub.send(11);
    await waitFor(() => got.length === 3);
    expect(got).toEqual([10, 11, 12]);
    expect(resets()).toBe(0);
  });

  it('when the hub never fills the gap nor says reset, goes on from what it has after three asks, and says reset', async () => {
    const { hub, got, resets } = await subscribed();
    hub.send(10, 12, 13);
    const answered = new Set<unknown>();
    await waitFor(() => {
      for (const m of hub.received) {
        if (m.type !== 'topic.subscribe' || m.since !== 10 || answered.has(m.ref)) continue;
        answered.add(m.ref);
        hub.raw({ type: 'ack', ref: m.ref });
      }
      return got.length === 3;
    }, 10_000, 'the handle to go on');
    expect(got).toEqual([10, 12, 13]);
    expect(answered.size).toBe(3);
    expect(resets()).toBe(1);
  });

  it('after a topic.reset, starts counting anew from the first message that follows', async () => {
    const { hub, got, resets } = await subscribed();
    hub.send(10, 11);
    hub.raw({ type: 'topic.reset', topic: 'feed' });
    hub.send(5_000_001, 5_000_002);
    await waitFor(() => got.length === 4);
    expect(got).toEqual([10, 11, 5_000_001, 5_000_002]);
    expect(resets()).toBe(1);
  });

  it('sends a subscribe made before the connection opened once, and keeps the start the ack gives', async () => {
    const { hub, client, got } = await subscribed(); // subscribe() is called at once, before the welcome
    // A subscribe to another topic, made now: a second one to feed would have been sent before it.
    client.topic('later').subscribe(() => {});
    await waitFor(() => hub.received.some((m) => m.type === 'topic.subscribe' && m.topic === 'later'));
    const subscribes = hub.received.filter((m) => m.type === 'topic.subscribe' && m.topic === 'feed');
    expect(subscribes).toHaveLength(1);
    hub.raw({ type: 'ack', ref: subscribes[0]!.ref, result: { seq: 20 } });
    // A ping after the ack: the client answers it once it has read the ack, and the messages come after.
    const pongs = hub.received.filter((m) => m.type === 'pong').length;
    hub.raw({ type: 'ping' });
    await waitFor(() => hub.received.filter((m) => m.type === 'pong').length > pongs);
    hub.send(22, 21); // 21 comes late (another node's): 20 is where the count stands, so 22 waits for it
    await waitFor(() => got.length === 2);
    expect(got).toEqual([21, 22]);
  });

  it('keeps the start of an ack that arrives in one chunk with the message after it, so a late one before it is not dropped', async () => {
    const { hub, got, resets } = await subscribed();
    const subscribe = hub.received.find((m) => m.type === 'topic.subscribe' && m.topic === 'feed')!;
    hub.together(() => {
      hub.raw({ type: 'ack', ref: subscribe.ref, result: { seq: 20 } });
      hub.send(22);
    });
    hub.send(21, 23); // 21 from another node, late
    await waitFor(() => got.includes(23));
    expect(got).toEqual([21, 22, 23]);
    expect(resets()).toBe(0);
  });
});
