import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { EventEmitter } from 'eventemitter3';
import { WebSocketServer } from 'ws';
import {
  CloseCode, ErrorCode, GhostError, describeInvalidName, encode, isValidName, withRetryAfter, type BroadcastDataOf, type DirectDataOf,
  type LeaveReason, type SchemaDefinition, type TopicDataOf, type TopicNameOf,
} from '@ghost/protocol';
import type { Adapter } from './adapters/adapter.js';
import { Authorizer } from './authorize.js';
import { channels, Cluster } from './cluster.js';
import { Chat } from './features/chat.js';
import { Presence } from './features/presence.js';
import { LoopLag } from './rate-limit.js';
import { Topics } from './features/topics.js';
import { handshake } from './handshake.js';
import { createId } from './ids.js';
import { numberOption } from './number-option.js';
import type { GhostUser, ResolvedHubOptions } from './options.js';
import { routeFrame, type RouterContext } from './router.js';
import { Sessions } from './sessions.js';
import { addUpgradeListener } from './upgrade-listener.js';
import { Validator } from './validate.js';
import { attachOps } from './ops/attach.js';
import type { HubStats } from './hub-stats.js';
import { OpsBus } from './ops/cluster-ops.js';
import { registerInternals, type HubInternals } from './ops/internals.js';
import { HubMetrics } from './metrics.js';
import type { OpsOptions } from './ops/options.js';
import { toError } from './to-error.js';

/** How long `hub.close()` waits for the clients' close handshakes before cutting their sockets. */
export const SHUTDOWN_WAIT_MS = 2000;

/** Events a hub emits; `hub.on` returns the function that removes the listener. */
export interface HubEvents {
  /** A new connection was accepted (not emitted when a client resumes within the grace period). */
  connection: (event: { id: string; user: GhostUser | undefined; address: string; request: IncomingMessage }) => void;
  /** A connection is over for good: it closed, or did not come back within the grace period. */
  disconnect: (event: { id: string; user: GhostUser | undefined; code: number; reason: LeaveReason }) => void;
  /** A fault the hub survived (an adapter failure, a throwing hook); nothing was thrown at a socket. */
  error: (error: Error) => void;
}

/** How `hub.close` lets clients go. */
export interface CloseOptions {
  /**
   * Spreads the clients' return: each is asked to wait a random point between 0 and this before
   * reconnecting (a retry-after hint in the 1001 close), so a draining node's clients do not all land
   * on the remaining nodes at once. @default 0: they come back on their own jittered backoff
   */
  retryAfterMs?: number;
}

/** Where `hub.attach` listens. */
export interface AttachOptions {
  /** The URL path of the WebSocket endpoint. @default '/ghost' */
  path?: string;
}

/**
 * A realtime hub: topics, presence and chat for the WebSocket clients of one Node HTTP server, and a
 * node of a cluster when given a shared adapter. Create it with {@link createHub}.
 */
export class Hub<S extends SchemaDefinition = SchemaDefinition> {
  /** This node's id in a cluster. */
  readonly nodeId: string;
  private readonly events = new EventEmitter<HubEvents>();
  private readonly wss: WebSocketServer;
  private readonly sessions: Sessions;
  private readonly cluster: Cluster;
  private readonly topics: Topics;
  private readonly presence: Presence;
  private readonly chat: Chat;
  private readonly router: RouterContext;
  private readonly validate: Validator;
  private readonly started: Promise<void>;
  private readonly detachers = new Set<() => void>();
  private readonly metrics = new HubMetrics();
  private readonly loopLag = new LoopLag();
  private readonly opsBus: OpsBus;
  private closing: Promise<void> | undefined;
  private drainRetryAfterMs = 0;

  /** @internal Use {@link createHub}. */
  constructor(private readonly options: ResolvedHubOptions, private readonly adapter: Adapter, nodeId: string | undefined) {
    this.nodeId = nodeId ?? createId();
    const reportError = (error: Error) => this.reportError(error);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.limits.maxFrameBytes, perMessageDeflate: false });
    this.cluster = new Cluster(adapter, this.nodeId, 'ghost', reportError, this.metrics);
    this.opsBus = new OpsBus(this.cluster, () => this.internals(), reportError);
    registerInternals(this, () => this.internals());
    const slowTopics = { ...options.slowTopics, maxBufferedBytes: options.limits.maxBufferedBytes };
    this.topics = new Topics(this.cluster, adapter, options.limits.maxTopics, options.recovery, slowTopics, options.tickMs, this.metrics);
    this.presence = new Presence(
      {
        tickMs: options.tickMs, maxRooms: options.limits.maxRooms, maxStateBytes: options.limits.maxStateBytes, keyBy: options.presenceKey,
        nodeTimeoutMs: options.nodeTimeoutMs, metrics: this.metrics,
      },
      this.cluster,
      reportError,
    );
    this.chat = new Chat(this.cluster, adapter, { ...options.chat, maxRooms: options.limits.maxRooms }, reportError);
    this.validate = new Validator(options.schema);
    this.router = {
      topics: this.topics, presence: this.presence, chat: this.chat, validate: this.validate,
      authorizer: new Authorizer(options.authorize, reportError), reportError, metrics: this.metrics, loopLag: this.loopLag,
    };
    this.sessions = new Sessions(options, {
      frame: (connection, frame) => routeFrame(this.router, connection, frame),
      resumed: (connection) => this.topics.holdForResume(connection),
      opened: (connection, request) => this.emit('connection', { id: connection.id, user: connection.user, address: connection.address, request }),
      ended: (connection, code, reason) => {
        this.presence.drop(connection, reason);
        this.topics.drop(connection).catch(reportError);
        this.chat.drop(connection).catch(reportError);
        this.emit('disconnect', { id: connection.id, user: connection.user, code, reason });
      },
    }, this.metrics);
    this.events.on('connection', () => void (this.metrics.opened += 1));
    this.events.on('disconnect', (event) => this.metrics.closedWith(event.reason));
    this.started = this.start();
    // A failed start is reported through `error`; awaiting methods see it rejected.
    this.started.catch(reportError);
  }

  /**
   * Serves the hub on `path` of an existing HTTP(S) server, leaving its routes and other upgrade
   * handlers alone. An upgrade for another path gets a 404 when the server's only upgrade listeners
   * are Ghost's (`attach`, `attachOps`); an app listener of its own answers those paths instead.
   * Returns a function that detaches the hub again.
   *
   * @example
   * const server = http.createServer(app);
   * hub.attach(server, { path: '/ghost' });
   * server.listen(3000);
   */
  attach(server: HttpServer | HttpsServer, options: AttachOptions = {}): () => void {
    const path = options.path ?? '/ghost';
    if (!path.startsWith('/')) throw new TypeError(`hub.attach: path must start with "/", got ${JSON.stringify(path)}`);
    const off = addUpgradeListener(server, (request, socket, head) => {
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== path) return false;
      void this.handleUpgrade(request, socket, head);
      return true;
    });
    const detach = () => {
      off();
      this.detachers.delete(detach);
    };
    this.detachers.add(detach);
    return detach;
  }

  /**
   * Serves the operations endpoints under `options.path` of an existing HTTP(S) server: the HTTP API,
   * Prometheus metrics and the inspector page, all behind `options.token` (a bearer token) or
   * `options.check`. The app's own routes keep working. Returns a function that detaches them again.
   *
   * @example
   * hub.attachOps(server, { path: '/ghost-admin', token: process.env.GHOST_API_TOKEN });
   * // curl -H "Authorization: Bearer $GHOST_API_TOKEN" -d '{"headline":"hi"}' localhost:3000/ghost-admin/topics/news
   */
  attachOps(server: HttpServer | HttpsServer, options: OpsOptions): () => void {
    const detachOps = attachOps(this.internals(), server, options);
    const detach = () => {
      detachOps();
      this.detachers.delete(detach);
    };
    this.detachers.add(detach);
    return detach;
  }

  /** The parts the operations endpoints read (ops/), handed over through `registerInternals`. */
  private internals(): HubInternals {
    return {
      nodeId: this.nodeId, metrics: this.metrics, sessions: this.sessions, presence: this.presence, topics: this.topics,
      cluster: this.cluster, bus: this.opsBus, stats: () => this.stats(), reportError: (error) => this.reportError(error),
      // The HTTP API's writes take any JSON; the hub's own checks (names, schema) still apply.
      publish: (topic, data) => this.publish(topic as TopicNameOf<S>, data as never),
      broadcast: (data) => this.broadcast(data as BroadcastDataOf<S>),
    };
  }

  /**
   * Takes over one upgrade request, for apps that route upgrades themselves. A refused client
   * (version, authentication) is upgraded and closed at once with a close code it can read.
   */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // The handshake may await `authenticate`; a client that gives up meanwhile must not crash us.
    const onSocketError = () => socket.destroy();
    socket.on('error', onSocketError);
    const result = await handshake(request, this.options);
    if (socket.destroyed) return;
    socket.off('error', onSocketError);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      if (!result.ok) {
        ws.close(result.code, result.reason);
        return;
      }
      if (this.closing) {
        ws.close(CloseCode.GOING_AWAY, this.goingAwayReason());
        return;
      }
      this.sessions.open(ws, request, result.user, result.resume, result.clientId, result.protocol);
    });
  }

  /**
   * Sends `data` to every subscriber of `topic`, on every node, with `from: null`.
   * @example await hub.publish('news', { headline: 'Ghost 1.0' });
   */
  async publish<N extends TopicNameOf<S>>(topic: N, data: TopicDataOf<S, N>): Promise<void> {
    if (!isValidName(topic)) throw new GhostError(ErrorCode.INVALID_NAME, describeInvalidName('topic', topic));
    await this.started;
    await this.topics.publish(topic, this.validate.topicData(topic, data), null);
  }

  /** Sends `data` to every connected client, on every node, as a `broadcast` event. */
  async broadcast(data: BroadcastDataOf<S>): Promise<void> {
    await this.started;
    const frame = encode({ type: 'broadcast', data: this.validate.broadcast(data), ts: Date.now() });
    this.sessions.sendToAll(frame);
    await this.cluster.publish(channels.all(this.cluster.prefix), { kind: 'broadcast', frame });
  }

  /** Sends `data` to one connection (by connection id) or to every connection of a user (by user id), on every node. */
  async sendTo(target: string, data: DirectDataOf<S>): Promise<void> {
    await this.started;
    const frame = encode({ type: 'direct', data: this.validate.direct(data), ts: Date.now() });
    this.sessions.sendTo(target, frame);
    await this.cluster.publish(channels.all(this.cluster.prefix), { kind: 'direct', target, frame });
  }

  /** Listens to a hub event; returns the function that stops listening. */
  on<E extends keyof HubEvents>(event: E, listener: HubEvents[E]): () => void {
    this.events.on(event, listener as never);
    return () => void this.events.off(event, listener as never);
  }

  /** Counts of this node, synchronously. */
  stats(): HubStats {
    const { open, resumable, slow } = this.sessions.counts();
    return {
      connections: open,
      resumable,
      slow,
      topics: this.topics.size,
      rooms: this.presence.roomCount,
      chatRooms: this.chat.size,
      members: this.presence.memberCount,
      bufferedBytes: this.sessions.budget.recount(),
    };
  }

  /**
   * Stops accepting, tells every client to go elsewhere (close code 1001, they reconnect), sends what
   * is queued and releases the adapter. Safe to call twice; the first call's options apply.
   *
   * @example
   * process.on('SIGTERM', () => void hub.close({ retryAfterMs: 5000 }).then(() => server.close()));
   */
  close(options: CloseOptions = {}): Promise<void> {
    const retryAfterMs = numberOption('hub.close', 'retryAfterMs', options.retryAfterMs ?? 0, 0, 0);
    this.closing ??= this.shutdown(retryAfterMs);
    return this.closing;
  }

  private async shutdown(retryAfterMs: number): Promise<void> {
    this.drainRetryAfterMs = retryAfterMs;
    for (const detach of [...this.detachers]) detach();
    this.cluster.stopLiveness();
    this.presence.flush();
    // A client that never answers the close handshake is cut off rather than waited on.
    const forced = setTimeout(() => { for (const c of this.wss.clients) c.terminate(); }, SHUTDOWN_WAIT_MS);
    await this.sessions.closeAll(() => this.goingAwayReason());
    clearTimeout(forced);
    this.topics.close();
    this.presence.close();
    this.chat.close();
    this.loopLag.stop();
    this.wss.close();
    await this.started.catch(() => undefined);
    await this.adapter.close();
  }

  /** The 1001 reason of a drain: with a retry-after hint drawn per client when `close` asked to spread them. */
  private goingAwayReason(): string {
    const reason = 'hub shutting down';
    return this.drainRetryAfterMs > 0 ? withRetryAfter(reason, Math.random() * this.drainRetryAfterMs) : reason;
  }

  private async start(): Promise<void> {
    await this.adapter.start({
      nodeId: this.nodeId,
      onError: (error) => this.reportError(error),
      onReconnect: () => this.presence.resync(),
      onPublishLost: (count, error) => this.cluster.publishLost(count, error),
    });
    await this.cluster.watch(channels.all(this.cluster.prefix), (envelope) => {
      if (envelope.kind === 'broadcast') this.sessions.sendToAll(envelope.frame);
      else if (envelope.kind === 'direct') this.sessions.sendTo(envelope.target, envelope.frame);
      else if (envelope.kind === 'ops.request') this.opsBus.receive(envelope);
    });
    // Answers to this node's own requests (ops queries) come on its own channel.
    await this.cluster.watch(channels.node(this.cluster.prefix, this.nodeId), (envelope) => {
      if (envelope.kind === 'ops.reply') this.opsBus.receive(envelope);
      else this.presence.receive(envelope);
    });
    this.cluster.startLiveness(this.options.nodeHeartbeatMs, this.options.nodeTimeoutMs, {
      up: (node) => this.presence.nodeUp(node),
      down: (node) => this.presence.nodeDown(node),
    });
  }

  private emit<E extends keyof HubEvents>(event: E, payload: Parameters<HubEvents[E]>[0]): void {
    try {
      (this.events.emit as (event: string, payload: unknown) => boolean)(event, payload);
    } catch (error) {
      // A throwing listener must not take the socket callback down with it.
      if (event !== 'error') this.reportError(toError(error));
    }
  }

  private reportError(error: Error): void {
    if (this.events.listenerCount('error') > 0) this.emit('error', error);
    else console.error('[ghost] hub error:', error);
  }
}
