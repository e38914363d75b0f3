import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Tickets } from './check.js';
import type { HubInternals } from './internals.js';

// Large hubs list only this many rows of each kind; totals are always given.
const MAX_ROWS = 200;
const MAX_MEMBERS_PER_ROOM = 100;
const MAX_HISTORY_LOOKUPS = 50;

/** One refresh of the inspector page: everything it shows, as plain JSON. */
export interface InspectorSnapshot {
  type: 'snapshot';
  node: string;
  at: number;
  stats: ReturnType<HubInternals['stats']>;
  nodes: { id: string; self: boolean; lastHeartbeatMsAgo: number }[];
  connections: { id: string; user: unknown; address: string; open: boolean; slow: boolean; bufferedBytes: number; topics: number; rooms: number }[];
  rooms: { name: string; watchers: number; memberCount: number; members: { id: string; node: string; color?: string; user?: unknown; state: unknown }[] }[];
  topics: { name: string; subscribers: number; delivered: number; perSecond: number; history: { oldestSeq: number; lastSeq: number } | null }[];
}

/**
 * The inspector's live feed: a WebSocket on the ops path that pushes a snapshot of this node every
 * `intervalMs`, only while someone watches. It is not a hub connection: it takes no part in presence,
 * does not count in `stats()`, and passes the ops check (through a ticket) rather than `authenticate`.
 */
export class InspectorFeed {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 });
  private timer: NodeJS.Timeout | undefined;
  private previous = new Map<string, { delivered: number; at: number }>();

  constructor(private readonly hub: HubInternals, private readonly tickets: Tickets, private readonly intervalMs: number) {}

  /** Takes an upgrade for the live feed; a request without a valid ticket gets 401 and no socket. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, ticket: string | null): void {
    if (!this.tickets.redeem(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.watch(ws));
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const ws of this.wss.clients) ws.close(1001, 'inspector closed');
    this.wss.close();
  }

  private watch(ws: WebSocket): void {
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (this.wss.clients.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    });
    void this.push([ws]);
    this.timer ??= setInterval(() => void this.push([...this.wss.clients]), this.intervalMs);
    this.timer.unref();
  }

  private async push(sockets: WebSocket[]): Promise<void> {
    if (sockets.length === 0) return;
    const text = JSON.stringify(await this.snapshot());
    for (const ws of sockets) if (ws.readyState === ws.OPEN && ws.bufferedAmount < 1024 * 1024) ws.send(text);
  }

  /** What this node sees now. */
  async snapshot(): Promise<InspectorSnapshot> {
    const hub = this.hub;
    const now = Date.now();
    const connections: InspectorSnapshot['connections'] = [];
    for (const c of hub.sessions.list()) {
      if (connections.length >= MAX_ROWS) break;
      connections.push({
        id: c.id, user: c.user, address: c.address, open: c.isOpen, slow: c.isSlow,
        bufferedBytes: c.socket?.bufferedAmount ?? 0, topics: c.topics.size, rooms: c.rooms.size,
      });
    }
    const rooms: InspectorSnapshot['rooms'] = [];
    for (const room of hub.presence.list()) {
      if (rooms.length >= MAX_ROWS) break;
      const all = room.list();
      const members = all.slice(0, MAX_MEMBERS_PER_ROOM).map(({ json, owner }) => ({ ...(JSON.parse(json) as { id: string; state: unknown }), node: owner ?? hub.nodeId }));
      rooms.push({ name: room.name, watchers: room.watchers.size, memberCount: all.length, members });
    }
    const topics: InspectorSnapshot['topics'] = [];
    const seen = new Map<string, { delivered: number; at: number }>();
    for (const { topic, subscribers, delivered, recoverable } of hub.topics.list().slice(0, MAX_ROWS)) {
      const before = this.previous.get(topic);
      const perSecond = before && now > before.at ? ((delivered - before.delivered) * 1000) / (now - before.at) : 0;
      seen.set(topic, { delivered, at: now });
      const history = recoverable && topics.length < MAX_HISTORY_LOOKUPS ? await hub.topics.history(topic).catch(() => undefined) : undefined;
      topics.push({ name: topic, subscribers, delivered, perSecond: Math.max(0, Math.round(perSecond * 10) / 10), history: history ?? null });
    }
    this.previous = seen;
    const nodes = [
      { id: hub.nodeId, self: true, lastHeartbeatMsAgo: 0 },
      ...[...hub.cluster.nodes].map(([id, at]) => ({ id, self: false, lastHeartbeatMsAgo: Math.max(0, now - at) })),
    ];
    return { type: 'snapshot', node: hub.nodeId, at: now, stats: hub.stats(), nodes, connections, rooms, topics };
  }
}
