// The contenders, each as small as its stack allows, on one HTTP server on 127.0.0.1. Each runs alone
// in a child process (server.ts). The wire formats the load generator speaks are in wire.ts.
//
// - ws:            a hand-written room on `ws` 8: JSON.parse every frame, JSON.stringify a delivery
//                  once and `socket.send` it to every member. Cursors: relay every update to every
//                  other member (the naive relay). The practical limit of a per-message server.
// - ws-coalesced:  the coalesced limit: the same rooms, but every `tickMs` each room with news gets
//                  ONE frame (the newest state of each member that moved, or the messages of the tick),
//                  framed once (`Sender.frame`) and written as the same bytes to every member's TCP
//                  socket. No validation, no per-recipient work at all.
// - socketio:      Socket.IO 4.8 with default settings (`io.to(room).emit`, `socket.to(room).emit`,
//                  acks), in memory or on `@socket.io/redis-adapter` (classic pub/sub, ioredis).
// - ghost:         `createHub` + `hub.attach`; topics, presence (coalesced per tick) and chat; in memory
//                  or on `redisAdapter` from `@ghost/server/redis`.
import http from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, WebSocket } from 'ws';
import * as wsModule from 'ws';
import { Server as SocketIOServer } from 'socket.io';
import type { Redis } from 'ioredis';
import { createHub, type Hub } from '@ghost/server';

// The Redis clients are imported only by the contenders that use them. Loading ioredis 6 slows every
// string-scanning function of the whole process on Node 20: its `VerbatimString extends String`
// makes String.prototype the prototype of another object, after which V8 no longer inlines
// `charCodeAt`, `startsWith` or `slice` (≈ 3–7× slower in a loop; V8 of Node 20, see
// parse5#1348). An in-memory contender must not pay for a client it does not run.
const loadRedis = async () => {
  const [{ Redis: RedisClient }, { createAdapter }, { redisAdapter }] = await Promise.all([
    import('ioredis'), import('@socket.io/redis-adapter'), import('@ghost/server/redis'),
  ]);
  return { RedisClient, createAdapter, redisAdapter };
};

export type Contender = 'ws' | 'ws-coalesced' | 'ws-tick' | 'socketio' | 'ghost';
/**
 * `ws-tick` is a diagnostic, run in the cursor scenarios: ws-coalesced's ticks, but each frame sent with
 * `socket.send(string)` per member, as Ghost sends: the difference to ws-coalesced is what
 * per-recipient encoding and framing cost, the difference to Ghost what Ghost's own work costs.
 */
export const CONTENDERS: readonly Contender[] = ['ws', 'ws-coalesced', 'ws-tick', 'socketio', 'ghost'];

export const PATHS: Record<Contender, string> = { ws: '/ws', 'ws-coalesced': '/ws', 'ws-tick': '/ws', socketio: '/socket.io/', ghost: '/ghost' };

export interface ServerConfig {
  contender: Contender;
  /** Socket.IO and Ghost: use Redis for the cluster (redis adapter); otherwise in memory. */
  redisUrl?: string;
  nodeId?: string;
  /** Coalescing period of ws-coalesced (Ghost's presence tick is its default, 33 ms). */
  tickMs?: number;
}

/**
 * Ghost's per-connection rate limits (120 frames/s) would refuse a publisher sending 200/s: they are
 * raised, so the bench measures delivery, not the limiter. Nothing else differs from the defaults.
 */
export const GHOST_OPTIONS = { limits: { messagesPerSecond: 1e6, burst: 1e6, presencePerSecond: 1e6, presenceBurst: 1e6 } } as const;

export interface RunningServer {
  port: number;
  connections(): number;
  /** Bytes waiting in userland send buffers (ws-based stacks; undefined where not reachable). */
  buffered(): number | undefined;
  extra(): Record<string, unknown>;
  close(): Promise<void>;
}

// `Sender` is exported by ws's ESM wrapper but not declared by @types/ws.
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] } }).Sender;

const shortId = () => randomBytes(9).toString('base64url');

interface Incoming {
  t: string;
  room: string;
  data?: unknown;
  state?: unknown;
  text?: string;
  ref?: number;
}

function startWs(server: http.Server, coalesced: boolean, tickMs: number, perSocketSend = false) {
  const wss = new WebSocketServer({ server, path: PATHS.ws, perMessageDeflate: false });
  interface Room {
    name: string;
    members: Set<WebSocket>;
    pub: string[];
    pos: Map<string, string>;
  }
  const rooms = new Map<string, Room>();
  const dirty = new Set<Room>();
  const room = (name: string) => {
    let r = rooms.get(name);
    if (!r) rooms.set(name, (r = { name, members: new Set(), pub: [], pos: new Map() }));
    return r;
  };
  // The coalesced limit: one frame per room and tick, framed once, the same bytes to every socket.
  const prepared = (text: string) => Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }));
  const writeAll = (r: Room, text: string) => {
    if (perSocketSend) {
      for (const m of r.members) m.send(text);
      return;
    }
    const frame = prepared(text);
    for (const m of r.members) if (m.readyState === WebSocket.OPEN) (m as unknown as { _socket: NetSocket })._socket.write(frame);
  };
  const timer = coalesced
    ? setInterval(() => {
        for (const r of dirty) {
          const name = JSON.stringify(r.name);
          if (r.pub.length) writeAll(r, `{"room":${name},"k":${r.pub.length},"data":[${r.pub.join(',')}]}`);
          if (r.pos.size) {
            let u = '';
            for (const [id, state] of r.pos) u += `${u ? ',' : ''}{"id":"${id}","state":${state}}`;
            writeAll(r, `{"room":${name},"u":[${u}]}`);
          }
          r.pub = [];
          r.pos.clear();
        }
        dirty.clear();
      }, tickMs)
    : undefined;

  wss.on('connection', (socket) => {
    const id = shortId();
    const joined = new Set<Room>();
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as Incoming;
      const r = room(message.room);
      if (message.t === 'join') {
        r.members.add(socket);
        joined.add(r);
        socket.send(`{"t":"joined","id":"${id}"}`);
      } else if (message.t === 'pub') {
        if (coalesced) {
          r.pub.push(JSON.stringify(message.data));
          dirty.add(r);
          return;
        }
        const frame = JSON.stringify({ room: message.room, data: message.data });
        for (const m of r.members) m.send(frame);
      } else if (message.t === 'pos') {
        if (coalesced) {
          r.pos.set(id, JSON.stringify(message.state));
          dirty.add(r);
          return;
        }
        const frame = JSON.stringify({ id, state: message.state });
        for (const m of r.members) if (m !== socket) m.send(frame);
      } else if (message.t === 'chat') {
        const stamped = { id: shortId(), user: id, text: message.text, ts: Date.now() };
        const frame = JSON.stringify({ room: message.room, message: stamped });
        for (const m of r.members) m.send(frame);
        socket.send(JSON.stringify({ t: 'ack', ref: message.ref, result: stamped }));
      }
    });
    socket.on('close', () => {
      for (const r of joined) r.members.delete(socket);
    });
    socket.on('error', () => undefined);
  });
  return {
    connections: () => wss.clients.size,
    buffered: () => {
      let sum = 0;
      for (const c of wss.clients) sum += c.bufferedAmount;
      return sum;
    },
    extra: () => ({ rooms: rooms.size }),
    close: async () => {
      clearInterval(timer);
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

async function startSocketIO(server: http.Server, redisUrl: string | undefined) {
  const io = new SocketIOServer(server);
  const redis: Redis[] = [];
  if (redisUrl) {
    const { RedisClient, createAdapter } = await loadRedis();
    const pub = new RedisClient(redisUrl);
    const sub = pub.duplicate();
    redis.push(pub, sub);
    io.adapter(createAdapter(pub, sub));
  }
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack?: () => void) => {
      void socket.join(room);
      ack?.();
    });
    socket.on('pub', (room: string, data: unknown) => void io.to(room).emit('msg', data));
    socket.on('pos', (room: string, state: unknown) => void socket.to(room).emit('pos', { id: socket.id, state }));
    socket.on('chat', (room: string, text: string, ack?: (message: unknown) => void) => {
      const stamped = { id: shortId(), user: socket.id, text, ts: Date.now() };
      io.to(room).emit('chat', stamped);
      ack?.(stamped);
    });
  });
  return {
    connections: () => io.engine.clientsCount,
    buffered: () => {
      let sum = 0;
      const clients = (io.engine as unknown as { clients: Record<string, { transport?: { socket?: WebSocket } }> }).clients;
      for (const c of Object.values(clients)) sum += c.transport?.socket?.bufferedAmount ?? 0;
      return sum;
    },
    extra: () => ({}),
    close: async () => {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      for (const r of redis) r.disconnect();
    },
  };
}

async function startGhost(server: http.Server, redisUrl: string | undefined, nodeId: string | undefined) {
  const adapter = redisUrl ? (await loadRedis()).redisAdapter({ url: redisUrl }) : undefined;
  const hub: Hub = createHub({ ...GHOST_OPTIONS, ...(adapter ? { adapter } : {}), ...(nodeId ? { nodeId } : {}) });
  let errors = 0;
  hub.on('error', (error) => {
    if (errors++ < 5) console.error('[bench server] hub error:', error.message);
  });
  hub.attach(server, { path: PATHS.ghost });
  return {
    connections: () => hub.stats().connections,
    buffered: () => undefined,
    extra: () => ({ ...hub.stats(), errors }),
    close: () => hub.close(),
  };
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const c = config.contender;
  const running =
    c === 'ws' || c === 'ws-coalesced' || c === 'ws-tick'
      ? startWs(server, c !== 'ws', config.tickMs ?? 33, c === 'ws-tick')
      : c === 'socketio'
        ? await startSocketIO(server, config.redisUrl)
        : await startGhost(server, config.redisUrl, config.nodeId);
  // A reconnect storm opens thousands of connections at once: a long accept queue.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: running.connections,
    buffered: running.buffered,
    extra: running.extra,
    close: async () => {
      await Promise.race([running.close(), new Promise((r) => setTimeout(r, 3000))]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
