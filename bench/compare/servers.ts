// The three servers under test, each as small as its stack allows, on one HTTP server on 127.0.0.1.
//
// - ws:        a hand-written room on `ws` (Map of room → Set of sockets). Fan-out: JSON.parse the
//              publish, JSON.stringify the delivery once, send the same string to every member.
//              Cursors: relay every update to everyone else in the room (what seed 001 does).
// - socketio:  Socket.IO with default server settings. Fan-out: `io.to(room).emit('msg', data)`.
//              Cursors: `socket.to(room).emit('pos', { id, state })` per update.
// - ghost:     `createHub` + `hub.attach(server, { path: '/ghost' })`. Fan-out: topic publish (from a
//              client, or `hub.publish` from the server). Cursors: `presence.track`, coalesced per tick.
//
// The message shapes the clients send and get are in clients.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { Server as SocketIOServer } from 'socket.io';
import { createHub, type Hub } from '@ghost/server';

export type Stack = 'ws' | 'socketio' | 'ghost';
export const STACKS: readonly Stack[] = ['ws', 'socketio', 'ghost'];

/** The path each stack serves its endpoint on. */
export const PATHS: Record<Stack, string> = { ws: '/ws', socketio: '/socket.io/', ghost: '/ghost' };

/**
 * Ghost's per-connection rate limit (120 msg/s, burst 240) would refuse a publisher that sends as
 * fast as it can: the bench raises it so that it measures delivery, not the limiter. Nothing else
 * of the hub is changed.
 */
export const GHOST_OPTIONS = { limits: { messagesPerSecond: 1_000_000, burst: 1_000_000 } } as const;

export interface RunningStack {
  stack: Stack;
  port: number;
  /** `hub.publish` for the ghost stack; undefined for the others. */
  serverPublish: ((topic: string, data: unknown) => Promise<void>) | undefined;
  /** Open sockets as the server counts them. */
  connections(): number;
  close(): Promise<void>;
}

/** A 12-character id, the size of Ghost's connection ids, so relay frames are not made smaller by shorter ids. */
function shortId(): string {
  return randomBytes(9).toString('base64url');
}

export async function startStack(stack: Stack): Promise<RunningStack> {
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  let connections: () => number;
  let closeStack: () => Promise<void>;
  let serverPublish: RunningStack['serverPublish'];

  if (stack === 'ws') {
    const wss = new WebSocketServer({ server, path: PATHS.ws });
    const rooms = new Map<string, Set<WebSocket>>();
    wss.on('connection', (socket) => {
      const id = shortId();
      const joined = new Set<string>();
      socket.on('message', (raw) => {
        const message = JSON.parse(raw.toString()) as { t: string; room: string; data?: unknown; state?: unknown };
        if (message.t === 'join') {
          let room = rooms.get(message.room);
          if (!room) rooms.set(message.room, (room = new Set()));
          room.add(socket);
          joined.add(message.room);
          socket.send(JSON.stringify({ t: 'joined', room: message.room }));
        } else if (message.t === 'pub') {
          // Fan-out: one string for everyone.
          const frame = JSON.stringify({ room: message.room, data: message.data });
          for (const member of rooms.get(message.room) ?? []) member.send(frame);
        } else if (message.t === 'pos') {
          // Cursor relay: every update to everyone else.
          const frame = JSON.stringify({ id, state: message.state });
          for (const member of rooms.get(message.room) ?? []) if (member !== socket) member.send(frame);
        }
      });
      socket.on('close', () => {
        for (const name of joined) rooms.get(name)?.delete(socket);
      });
      socket.on('error', () => undefined);
    });
    connections = () => wss.clients.size;
    closeStack = async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    };
  } else if (stack === 'socketio') {
    // Default settings: the client picks the websocket transport (`transports: ['websocket']`).
    const io = new SocketIOServer(server);
    io.on('connection', (socket) => {
      socket.on('join', (room: string, ack?: () => void) => {
        void socket.join(room);
        ack?.();
      });
      socket.on('pub', (room: string, data: unknown) => {
        io.to(room).emit('msg', data);
      });
      socket.on('pos', (room: string, state: unknown) => {
        socket.to(room).emit('pos', { id: socket.id, state });
      });
    });
    connections = () => io.engine.clientsCount;
    closeStack = async () => {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    };
  } else {
    const hub: Hub = createHub(GHOST_OPTIONS);
    hub.on('error', (error) => console.error('[bench server] hub error:', error));
    hub.attach(server, { path: PATHS.ghost });
    connections = () => hub.stats().connections;
    serverPublish = (topic, data) => hub.publish(topic, data);
    closeStack = () => hub.close();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    stack,
    port,
    serverPublish,
    connections: () => connections(),
    close: async () => {
      await Promise.race([closeStack(), new Promise((r) => setTimeout(r, 3000))]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
