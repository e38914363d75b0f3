import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, PROTOCOL_VERSION, encode, withRetryAfter, type LeaveReason } from '@ghost/protocol';
import { clientAddress } from './address.js';
import { Connection } from './connection.js';
import { memberIdOf } from './features/presence-room.js';
import type { GhostUser, ResolvedHubOptions } from './options.js';
import type { HubMetrics } from './metrics.js';
import { SendBudget } from './send-budget.js';

/** What the hub does at the edges of a connection's life. */
export interface SessionHooks {
  /** A text frame arrived, its bytes as ws delivers them (`null` for a binary frame). */
  frame(connection: Connection, frame: Buffer | null): void;
  /** A new connection was accepted (not a resume). */
  opened(connection: Connection, request: IncomingMessage): void;
  /** A connection came back on a new socket within its grace period (before its welcome is sent). */
  resumed(connection: Connection): void;
  /** A connection is over for good. */
  ended(connection: Connection, code: number, reason: LeaveReason): void;
}

const PING_FRAME = encode({ type: 'ping' });

/**
 * This node's connections over their whole life: welcome or resume, heartbeats, the grace period after
 * a drop, and the end. Also finds them for delivery by connection id or user id.
 */
export class Sessions {
  private readonly connections = new Map<string, Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly perAddress = new Map<string, number>();
  /** Connections waiting out their grace period, and the timer that ends them. */
  private readonly graceTimers = new Map<Connection, NodeJS.Timeout>();
  private readonly heartbeat: NodeJS.Timeout;
  /** When the heartbeat last ran, to tell how late the next one is. */
  private lastBeat = Date.now();
  private closing = false;
  /** Bytes waiting to be sent to all of these connections, against `limits.maxHubBufferedBytes`. */
  readonly budget: SendBudget<Connection>;

  constructor(private readonly options: ResolvedHubOptions, private readonly hooks: SessionHooks, private readonly metrics?: HubMetrics) {
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs).unref();
    const { maxHubBufferedBytes, slowBufferedBytes } = options.limits;
    this.budget = new SendBudget(
      maxHubBufferedBytes, slowBufferedBytes, () => this.connections.values(), options.tickMs,
      (connection) => this.end(connection, CloseCode.POLICY_VIOLATION, 'disconnected'), metrics,
    );
  }

  /** Connections with an open socket, and those waiting out their grace period. */
  counts(): { open: number; resumable: number; slow: number } {
    let open = 0;
    let slow = 0;
    for (const connection of this.connections.values()) {
      if (connection.isOpen) open += 1;
      if (connection.isSlow) slow += 1;
    }
    return { open, resumable: this.connections.size - open, slow };
  }

  /** Gives an accepted socket its connection: the one it resumes, or a new one. */
  open(ws: WebSocket, request: IncomingMessage, user: GhostUser | undefined, resume: { id: string; secret: string } | undefined, clientId?: string, protocol: number = PROTOCOL_VERSION): void {
    const previous = resume ? this.connections.get(resume.id) : undefined;
    const resumed = !!previous && previous.secret.accepts(resume!.secret) && previous.user?.id === user?.id && !previous.ended;
    const refusal = resumed ? undefined : this.overLimit(request);
    if (refusal) {
      // Half to all of the configured wait: refused clients spread out instead of returning together.
      const { retryAfterMs } = this.options.limits;
      ws.close(CloseCode.TRY_AGAIN_LATER, withRetryAfter(refusal, retryAfterMs * (0.5 + Math.random() / 2)));
      return;
    }
    const connection = resumed ? previous! : this.create(user, request);
    if (resumed) {
      this.stopGrace(connection);
      connection.detach()?.close(CloseCode.REPLACED, 'resumed by a newer socket');
      connection.secret.rotate();
      this.hooks.resumed(connection);
    }
    connection.attach(ws, clientId, protocol);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (connection.socket !== ws) return;
      connection.secret.confirm(); // this client has the welcome, so its new resume token
      // A Buffer: the hub's sockets keep ws's default binaryType ('nodebuffer'). Decoded by the router,
      // which reads a cursor move from its bytes and never decodes it whole.
      this.hooks.frame(connection, isBinary ? null : (data as Buffer));
    });
    ws.on('close', (code: number) => this.onSocketClose(connection, ws, code));
    ws.on('error', () => undefined); // 'close' follows; a socket error is the client's problem, not the hub's
    connection.send(encode({
      type: 'welcome', v: protocol, id: connection.id, member: memberIdOf(connection, this.options.presenceKey), color: connection.color, user: connection.user,
      resumed, resume: connection.resumeToken, heartbeatMs: this.options.heartbeatMs,
      maxFrameBytes: this.options.limits.maxFrameBytes,
    }));
    if (resumed) connection.flushBacklog();
    else this.hooks.opened(connection, request);
  }

  /** Sends a frame to every connection (buffered for those within their grace period). */
  sendToAll(frame: string): void {
    for (const connection of this.connections.values()) connection.send(frame, { buffer: true });
  }

  /** Sends a frame to one connection by id, or to every connection of a user by user id. */
  sendTo(target: string, frame: string): void {
    const byId = this.connections.get(target);
    if (byId) {
      byId.send(frame, { buffer: true });
      return;
    }
    for (const connection of this.byUser.get(target) ?? []) connection.send(frame, { buffer: true });
  }

  /** Every connection of this node, open or waiting out its grace period (for the inspector). */
  list(): IterableIterator<Connection> {
    return this.connections.values();
  }

  /**
   * Closes the connections of `target` (a connection id, or every connection of a user id) with `code`
   * and ends them at once: no grace period, so their presence leaves now. Returns how many there were.
   */
  disconnect(target: string, code: number, reason: string): number {
    const found = this.connections.has(target) ? [this.connections.get(target)!] : [...(this.byUser.get(target) ?? [])];
    for (const connection of found) {
      connection.close(code, reason);
      this.end(connection, code, 'disconnected');
    }
    return found.length;
  }

  /** Tells every client to go (1001, with the reason given per client) and ends every connection; resolves when the sockets closed. */
  async closeAll(reason: () => string): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    this.budget.close();
    const closed: Promise<void>[] = [];
    for (const connection of [...this.connections.values()]) {
      const socket = connection.socket;
      if (socket) {
        closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
        socket.close(CloseCode.GOING_AWAY, reason());
      }
      this.end(connection, CloseCode.GOING_AWAY, 'disconnected');
    }
    await Promise.all(closed);
  }

  /** Why a new connection is refused for load, if it is: the hub's own limit, or its address's. */
  private overLimit(request: IncomingMessage): string | undefined {
    const { maxConnections, maxConnectionsPerAddress } = this.options.limits;
    if (maxConnections > 0 && this.connections.size >= maxConnections) return 'hub at capacity';
    const fromAddress = this.perAddress.get(clientAddress(request, this.options.trustProxy)) ?? 0;
    if (maxConnectionsPerAddress > 0 && fromAddress >= maxConnectionsPerAddress) return 'too many connections from your address';
    return undefined;
  }

  private create(user: GhostUser | undefined, request: IncomingMessage): Connection {
    const connection = new Connection(user, clientAddress(request, this.options.trustProxy), this.options, this.metrics, this.budget);
    this.connections.set(connection.id, connection);
    this.perAddress.set(connection.address, (this.perAddress.get(connection.address) ?? 0) + 1);
    if (user) {
      let set = this.byUser.get(user.id);
      if (!set) this.byUser.set(user.id, (set = new Set()));
      set.add(connection);
    }
    return connection;
  }

  private onSocketClose(connection: Connection, ws: WebSocket, code: number): void {
    if (connection.socket !== ws) return; // replaced by a resume
    connection.detach();
    if (this.closing || connection.ended) return;
    // 1000 (client.close()) and 1001 (a browser closing the tab or navigating away) mean the client
    // left on purpose: no grace period to wait out, or its cursor would linger on every screen.
    if (code === CloseCode.NORMAL || code === CloseCode.GOING_AWAY) {
      this.end(connection, code, 'left');
      return;
    }
    if (this.options.graceMs === 0) {
      this.end(connection, code, connection.dropReason);
      return;
    }
    this.graceTimers.set(connection, setTimeout(() => this.end(connection, code, connection.dropReason), this.options.graceMs).unref());
  }

  private stopGrace(connection: Connection): void {
    clearTimeout(this.graceTimers.get(connection));
    this.graceTimers.delete(connection);
  }

  private end(connection: Connection, code: number, reason: LeaveReason): void {
    if (!connection.end()) return;
    this.stopGrace(connection);
    this.connections.delete(connection.id);
    this.budget.forget(connection);
    const left = (this.perAddress.get(connection.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(connection.address, left);
    else this.perAddress.delete(connection.address);
    if (connection.user) {
      const set = this.byUser.get(connection.user.id);
      set?.delete(connection);
      if (set?.size === 0) this.byUser.delete(connection.user.id);
    }
    this.hooks.ended(connection, code, reason);
  }

  private beat(): void {
    // A beat that fires late comes after a stall of the hub's own (GC, a CPU-starved process), and the
    // pongs that arrived meanwhile are still unread: it would cut live clients for the hub's fault. So
    // silence is judged in the hub's running time: the deadline moves back by how late this beat is.
    const now = Date.now();
    const late = Math.max(0, now - this.lastBeat - this.options.heartbeatMs);
    this.lastBeat = now;
    const deadline = now - 2 * this.options.heartbeatMs - late;
    for (const connection of this.connections.values()) {
      if (!connection.socket) continue;
      if (connection.lastSeen < deadline) {
        connection.timeOut(); // and the grace period decides
        continue;
      }
      connection.send(PING_FRAME);
    }
  }
}
