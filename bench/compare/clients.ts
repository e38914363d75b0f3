// The client side of each stack, behind one small interface per scenario, with a byte counter on the
// real socket (text payload bytes as received, plus the 2/4/10-byte server→client frame header).
//
// - ws:        `ws` WebSocket; sends {"t":"join"|"pub"|"pos",...}; receives the server's JSON.
// - socketio:  `socket.io-client` with `transports: ['websocket']`, `forceNew` (one socket per client,
//              not one multiplexed Manager), no reconnection.
// - ghost:     `createClient(url)` from @ghost/client (Node: `ws` through isomorphic-ws), with a
//              `WebSocket` subclass that only counts bytes.
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';
import { createClient, type GhostClient } from '@ghost/client';
import type { Stack } from './servers.js';

/** What the fan-out publisher sends: `{ text, n, t }`; `t` is the send time (ms since the epoch, fractional). */
export interface FanData {
  text: string;
  n: number;
  t: number;
}

/** A cursor position with its send time. */
export interface CursorState {
  x: number;
  y: number;
  t: number;
}

export class WireCounter {
  frames = 0;
  payloadBytes = 0;
  wireBytes = 0;
  add(length: number): void {
    this.frames += 1;
    this.payloadBytes += length;
    this.wireBytes += length + (length < 126 ? 2 : length < 65536 ? 4 : 10);
  }
  reset(): void {
    this.frames = 0;
    this.payloadBytes = 0;
    this.wireBytes = 0;
  }
}

export interface BenchClient {
  counter: WireCounter;
  close(): void;
}

const CONNECT_TIMEOUT_MS = 20_000;

function withTimeout<T>(promise: Promise<T>, what: string, ms = CONNECT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms))),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Opening a connection, per stack

interface Opened<T> {
  handle: T;
  counter: WireCounter;
  close(): void;
}

function openWs(url: string): Promise<Opened<WebSocket>> {
  const counter = new WireCounter();
  const socket = new WebSocket(url, { perMessageDeflate: false });
  socket.on('message', (data: Buffer) => counter.add(data.length));
  socket.on('error', () => undefined);
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once('open', () => resolve({ handle: socket, counter, close: () => socket.close() }));
      socket.once('error', reject);
    }),
    'ws open',
  );
}

function openSocketIO(url: string): Promise<Opened<Socket>> {
  const counter = new WireCounter();
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  return withTimeout(
    new Promise((resolve, reject) => {
      socket.once('connect', () => {
        // The engine.io websocket transport holds the `ws` socket.
        const ws = (socket.io.engine as unknown as { transport: { ws?: WebSocket } }).transport.ws;
        ws?.on('message', (data: Buffer) => counter.add(data.length));
        resolve({ handle: socket, counter, close: () => void socket.disconnect() });
      });
      socket.once('connect_error', reject);
    }),
    'socket.io connect',
  );
}

function openGhost(url: string): Promise<Opened<GhostClient>> {
  const counter = new WireCounter();
  class CountingWebSocket extends WebSocket {
    constructor(address: string) {
      super(address, { perMessageDeflate: false });
      this.on('message', (data: Buffer) => counter.add(data.length));
    }
  }
  const client = createClient(url, { WebSocket: CountingWebSocket as never });
  return withTimeout(
    new Promise((resolve, reject) => {
      const done = () => resolve({ handle: client, counter, close: () => void client.close() });
      if (client.status === 'open') return done();
      const off = client.on('status', (status) => {
        if (status === 'open') {
          off();
          done();
        } else if (status === 'closed') reject(new Error('ghost client closed while connecting'));
      });
    }),
    'ghost open',
  );
}

/** Connection scenario: just open; resolves once the stack says the connection is usable. */
export async function openOnly(stack: Stack, url: string): Promise<BenchClient> {
  const opened = stack === 'ws' ? await openWs(url) : stack === 'socketio' ? await openSocketIO(url) : await openGhost(url);
  return { counter: opened.counter, close: opened.close };
}

// ---------------------------------------------------------------------------------------------
// Fan-out

/**
 * `raw`: for the ghost stack, a bare `ws` socket speaking Ghost's protocol (subscribe, `JSON.parse`
 * of each `topic.message`) instead of @ghost/client, so that the client side costs what the raw ws
 * baseline's does and the comparison isolates the hub.
 */
export async function fanSubscriber(stack: Stack, url: string, room: string, onMessage: (data: FanData) => void, raw = false): Promise<BenchClient> {
  if (stack === 'ghost' && raw) {
    const { handle, counter, close } = await openWs(`${url}?v=1`);
    handle.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; data?: FanData };
      if (message.type === 'topic.message') onMessage(message.data!);
    });
    handle.send(JSON.stringify({ type: 'topic.subscribe', topic: room }));
    return { counter, close };
  }
  if (stack === 'ws') {
    const { handle, counter, close } = await openWs(url);
    const joined = new Promise<void>((resolve) => {
      handle.on('message', (raw: Buffer) => {
        const message = JSON.parse(raw.toString()) as { t?: string; data?: FanData };
        if (message.data) onMessage(message.data);
        else if (message.t === 'joined') resolve();
      });
    });
    handle.send(JSON.stringify({ t: 'join', room }));
    await withTimeout(joined, 'ws join');
    return { counter, close };
  }
  if (stack === 'socketio') {
    const { handle, counter, close } = await openSocketIO(url);
    handle.on('msg', onMessage);
    await withTimeout(new Promise<void>((resolve) => handle.emit('join', room, () => resolve())), 'socket.io join');
    return { counter, close };
  }
  const { handle, counter, close } = await openGhost(url);
  handle.topic(room).subscribe((data) => onMessage(data as FanData));
  return { counter, close };
}

export interface FanPublisher extends BenchClient {
  publish(data: FanData): void;
}

export async function fanPublisher(stack: Stack, url: string, room: string, raw = false): Promise<FanPublisher> {
  if (stack === 'ghost' && raw) {
    // No `ref`: fire and forget, like the other raw publishers (the hub sends no ack).
    const { handle, counter, close } = await openWs(`${url}?v=1`);
    await new Promise((resolve) => handle.once('message', resolve)); // the welcome
    return { counter, close, publish: (data) => handle.send(JSON.stringify({ type: 'topic.publish', topic: room, data })) };
  }
  if (stack === 'ws') {
    const { handle, counter, close } = await openWs(url);
    return { counter, close, publish: (data) => handle.send(JSON.stringify({ t: 'pub', room, data })) };
  }
  if (stack === 'socketio') {
    const { handle, counter, close } = await openSocketIO(url);
    return { counter, close, publish: (data) => void handle.emit('pub', room, data) };
  }
  const { handle, counter, close } = await openGhost(url);
  const topic = handle.topic(room);
  return {
    counter,
    close,
    // Resolves on the hub's ack; a failure shows up as missing deliveries, so it is only logged. The
    // last acks may still be on their way when the publisher closes (NOT_SENT): not a failure.
    publish: (data) =>
      void topic.publish(data).catch((error: { code?: string }) => {
        if (error?.code !== 'NOT_SENT') console.error('[bench] ghost publish failed:', error);
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Cursors

export interface CursorClient extends BenchClient {
  move(state: CursorState): void;
}

/** A member of a cursor room: `onPosition(fromId, state)` for every position it is told about. */
export async function cursorClient(stack: Stack, url: string, room: string, onPosition: (id: string, state: CursorState) => void): Promise<CursorClient> {
  if (stack === 'ws') {
    const { handle, counter, close } = await openWs(url);
    const joined = new Promise<void>((resolve) => {
      handle.on('message', (raw: Buffer) => {
        const message = JSON.parse(raw.toString()) as { t?: string; id?: string; state?: CursorState };
        if (message.state) onPosition(message.id!, message.state);
        else if (message.t === 'joined') resolve();
      });
    });
    handle.send(JSON.stringify({ t: 'join', room }));
    await withTimeout(joined, 'ws join');
    return { counter, close, move: (state) => handle.send(JSON.stringify({ t: 'pos', room, state })) };
  }
  if (stack === 'socketio') {
    const { handle, counter, close } = await openSocketIO(url);
    handle.on('pos', (message: { id: string; state: CursorState }) => onPosition(message.id, message.state));
    await withTimeout(new Promise<void>((resolve) => handle.emit('join', room, () => resolve())), 'socket.io join');
    return { counter, close, move: (state) => void handle.emit('pos', room, state) };
  }
  const { handle, counter, close } = await openGhost(url);
  const presence = handle.presence(room);
  presence.on('join', (member) => onPosition(member.id, member.state as CursorState));
  presence.on('update', (member) => onPosition(member.id, member.state as CursorState));
  return { counter, close, move: (state) => presence.track(state) };
}
