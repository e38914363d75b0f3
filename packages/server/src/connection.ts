import { WebSocket } from 'ws';
import { CloseCode, PROTOCOL_VERSION, withRetryAfter, type LeaveReason } from '@ghost/protocol';
import type { GhostUser, ResolvedHubOptions } from './options.js';
import type { HubMetrics } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import { writeWithinTurn } from './turn-writes.js';
import { writeText } from './text-frames.js';
import { createId, nextColor } from './ids.js';
import type { SendBudget } from './send-budget.js';
import { GraceBacklog } from './grace-backlog.js';
import { RememberedResults } from './remembered-results.js';
import { ResumeSecret } from './resume-secret.js';
import { StepQueue } from './step-queue.js';
import { LazyMap, LazySet } from './lazy-collections.js';

// What a CSS colour can look like (#hex, rgb(), hsl(), names): no quotes or backslashes, since the
// colour is written into frames as it is.
const CSS_COLOR = /^[#a-zA-Z0-9(),.%/ -]{1,64}$/;
/**
 * How long a shed reader's socket may take to read its close frame (behind at most `slowBufferedBytes`)
 * before it is cut: a client that still reads learns why; one that never reads frees its buffers.
 */
export const SHED_LINGER_MS = 2000;

/**
 * Frames a feature queues for a connection beside its outbox (a slow reader's per-topic queues): the
 * connection counts them as waiting for it, and drops them when it is shed or loses its socket.
 */
export interface SideQueue {
  /** Characters queued. */
  readonly bytes: number;
  /** Drops every queued frame, handing those a client away in its grace period should still get to `keep`. */
  drop(keep?: (frame: string) => void): void;
}

/**
 * What the hub writes to a new socket before its client proved it reads: a reader that joins a flood
 * and never reads costs this much, not `MAX_WINDOW_CHARS`. Each write to such a socket costs the hub
 * tens of µs in the kernel: with 16 KiB, 5,000 of them held the hub up for ~1.2 s at a flood's start.
 * It covers a welcome, a snapshot and a handful of diffs; what a new client proves opens it up.
 */
export const FIRST_WINDOW_CHARS = 4 * 1024;
/** The most the hub writes ahead of what a reader proved it read; beyond it, frames wait in its outbox. */
export const MAX_WINDOW_CHARS = 256 * 1024;
/**
 * The window grows by this many characters per character a reader proved it read. At 2 (TCP's slow
 * start) a reader of 20 small frames a second stayed near the first window for a minute, paying a
 * ping and a pong every few frames (+10–15 % of the hub's CPU per delivery in the fan-out benchmark);
 * at 8 it reaches the largest window after three answered pings. A reader that never reads gains
 * nothing from it: its window stays the first one.
 */
const WINDOW_GROWTH = 8;

/**
 * Cuts a shed reader's socket with a TCP reset: a plain close would leave the kernel holding what the
 * reader never read (an orphaned socket keeps its send buffer while it retries), and the kernel's TCP
 * memory is shared by every socket of the machine, the bystanders' included.
 */
function cut(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: { resetAndDestroy?(): void } | null })._socket;
  if (raw?.resetAndDestroy) raw.resetAndDestroy();
  else socket.terminate();
}
/**
 * One client's connection to the hub. It outlives its socket for the grace period, so a client that
 * reconnects in time gets the same id, rooms and subscriptions back.
 */
export class Connection {
  readonly id = createId();
  /** The user's own colour when `authenticate` gave one, otherwise one picked for this connection. */
  readonly color: string;
  /** `JSON.stringify(user)`, made once because it is sent in every presence join. */
  readonly userJson: string | undefined;
  /** The secret half of {@link resumeToken}, new in each welcome. */
  readonly secret = new ResumeSecret();
  /** The client's socket while it has one; set and cleared by the connection's own methods ({@link attach}, {@link detach}, {@link close}). */
  socket: WebSocket | null = null;
  private _lastSeen = Date.now();
  private _dropReason: LeaveReason = 'disconnected';
  readonly topics = new LazySet<string>();
  readonly rooms = new LazySet<string>();
  /** Answers of the app's `authorize`, by target and action, for this connection's life. */
  readonly decisions = new LazyMap<string, boolean | Promise<boolean>>();
  /** Chat rooms read, with the name held in each (undefined until `identify`). */
  readonly chats = new LazyMap<string, string | undefined>();
  readonly bucket: TokenBucket;
  /** Cursor moves have their own budget, so they never starve the connection's other messages. */
  readonly presenceBucket: TokenBucket;
  /** Outcomes of recent requests by ref: a request resent after a reconnect is answered again, not redone. */
  readonly results = new RememberedResults();
  /** This connection's steps that must run one after another, in the order they arrived (chat's). */
  readonly steps = new StepQueue();
  private _clientId: string | undefined;
  private _protocol = PROTOCOL_VERSION;
  /** Frames kept for a client away in its grace period, made when the first is kept. */
  private backlog: GraceBacklog | undefined;
  /**
   * Frames waiting for a slow reader, in order, from `outboxHead` on. Once its socket holds more than
   * `slowBufferedBytes` nothing more is written to it (a write buffered in a socket costs its own
   * copy and bookkeeping); the queue only holds the frame strings every recipient shares.
   */
  private outbox: string[] = [];
  private outboxHead = 0;
  /** Characters in the outbox. */
  private outboxBytes = 0;
  /** What is queued for this connection beside its outbox, once a feature queues anything (`Topics`). */
  private beside: SideQueue | undefined;
  /**
   * Characters of frames written to the current socket, and how many of them the client has proven it
   * read (each WebSocket pong answers a ping that carried the count written before it). The kernel takes
   * what a socket is given whether or not its reader reads, up to megabytes per socket on loopback: the
   * gap, not the socket's own buffer, tells a reader that stopped reading.
   */
  private writtenChars = 0;
  private readChars = 0;
  /** The event-loop turn of the last frame written (see `writeWithinTurn`). */
  private lastTurn = 0;
  /** `writtenChars` when the last ping went out. */
  private pingedChars = 0;
  /** Pings not answered yet, oldest first: what each proves once answered, and when it went out. */
  private unanswered: { chars: number; at: number }[] = [];
  /** What this connection last reported to the hub's send budget. */
  accounted = 0;
  /** Set when the hub closed this connection for holding too much unsent: nothing more is queued for it. */
  private shedding = false;
  /** Requests dispatched and not answered yet: a flood close waits for their answers. */
  private readonly pending = new LazySet<Promise<unknown>>();
  /** Set once the rate limit decided to close: later frames are not handled. */
  flooded = false;
  private _ended = false;

  constructor(
    readonly user: GhostUser | undefined,
    /** The client's address (see the hub's `trustProxy`). */
    readonly address: string,
    private readonly options: ResolvedHubOptions,
    private readonly metrics?: HubMetrics,
    private readonly budget?: SendBudget<Connection>,
  ) {
    this.userJson = user === undefined ? undefined : JSON.stringify(user);
    this.color = typeof user?.color === 'string' && CSS_COLOR.test(user.color) ? user.color : nextColor();
    this.bucket = new TokenBucket(options.limits.messagesPerSecond, options.limits.burst);
    this.presenceBucket = new TokenBucket(options.limits.presencePerSecond, options.limits.presenceBurst);
  }

  /** The client instance's id (`client` query parameter), stable across its reconnects and nodes. */
  get clientId(): string | undefined {
    return this._clientId;
  }

  /** The protocol version the client on the current socket speaks (`v` of its handshake). */
  get protocol(): number {
    return this._protocol;
  }

  /** When the client was last heard from (ms since epoch). */
  get lastSeen(): number {
    return this._lastSeen;
  }

  /** Why the socket went away, for the leave reason if the grace period runs out. */
  get dropReason(): LeaveReason {
    return this._dropReason;
  }

  /** Whether the connection is over for good (left, or its grace period ran out). */
  get ended(): boolean {
    return this._ended;
  }

  /** Marks the connection over for good; false when it already was. */
  end(): boolean {
    if (this._ended) return false;
    this._ended = true;
    return true;
  }

  /** Takes the client's socket: a new connection's first, or a resume's (after {@link detach}). */
  attach(socket: WebSocket, clientId: string | undefined, protocol: number): void {
    this.socket = socket;
    this._clientId = clientId;
    this._protocol = protocol;
    this._lastSeen = Date.now();
    this._dropReason = 'disconnected';
    // Nothing is written to the new socket yet, nothing proven read.
    this.writtenChars = this.readChars = this.pingedChars = 0;
    this.unanswered = [];
    socket.on('pong', (payload: Buffer) => this.onPong(socket, payload));
  }

  /** A frame arrived from the client. */
  heard(now: number): void {
    this._lastSeen = now;
  }

  /** Closes the socket and lets go of it at once: its close event is then not taken for a drop to wait out. */
  close(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close(code, reason);
  }

  /**
   * Cuts a socket that stayed silent too long without a close frame (a dead link cannot carry one);
   * if the grace period runs out, the client leaves with `timeout`.
   */
  timeOut(): void {
    this._dropReason = 'timeout';
    this.socket?.terminate();
  }

  /** What the client resumes with (`?resume=`): the connection's id and its secret. */
  get resumeToken(): string {
    return `${this.id}.${this.secret.value}`;
  }

  /**
   * Whether more than `slowBufferedBytes` wait for this reader beyond the most the hub writes ahead of
   * any reader ({@link MAX_WINDOW_CHARS}), counting all it has not proven it read: a slow reader. A new
   * reader's smaller first window only paces the writes: a burst it is reading does not make it slow.
   */
  get isSlow(): boolean {
    return this.socket !== null && this.unreadChars + this.outboxBytes > MAX_WINDOW_CHARS + this.options.limits.slowBufferedBytes;
  }

  /** Characters written to the socket that the client has not proven it read yet. */
  private get unreadChars(): number {
    return this.writtenChars - this.readChars;
  }

  /**
   * How far ahead of its reader the hub may write: {@link FIRST_WINDOW_CHARS}, growing with what the
   * client proved it read ({@link WINDOW_GROWTH}), up to {@link MAX_WINDOW_CHARS}.
   */
  private get window(): number {
    return Math.min(MAX_WINDOW_CHARS, FIRST_WINDOW_CHARS + WINDOW_GROWTH * this.readChars);
  }

  /**
   * Since when this reader has been silent while behind: since its oldest unanswered ping went out, or
   * since its last frame if that came later (a busy hub reads a sender's pongs behind its own requests:
   * a client that speaks is not the one that stopped reading); now for one that is not behind.
   */
  get progressAt(): number {
    const oldest = this.unanswered[0];
    return oldest ? Math.max(oldest.at, this._lastSeen) : Date.now();
  }

  /**
   * The share of what the hub has had for this client (written, or waiting in its outbox) that the
   * client proved it read: near 0 for one that joined and stopped, near 1 for one that reads along.
   */
  get provenShare(): number {
    const had = this.writtenChars + this.outboxBytes;
    return had === 0 ? 1 : this.readChars / had;
  }

  /** The client answered a ping: it read everything written before it, so frames waiting may go. */
  private onPong(socket: WebSocket, payload: Buffer): void {
    if (socket !== this.socket) return;
    const upTo = Number(payload.toString());
    if (!(upTo > this.readChars && upTo <= this.writtenChars)) return; // not one of ours, or an old one
    this.readChars = upTo;
    while (this.unanswered.length > 0 && this.unanswered[0]!.chars <= upTo) this.unanswered.shift();
    if (this.outboxBytes > 0) this.flushOutbox();
  }

  /** Bytes waiting to be sent to this connection: in its socket, its outbox and its topic queues. */
  get waitingBytes(): number {
    return (this.socket?.bufferedAmount ?? 0) + this.outboxBytes + (this.beside?.bytes ?? 0);
  }

  /** Whether the hub closed this connection for holding too much unsent: nothing more is queued for it. */
  get isShed(): boolean {
    return this.shedding;
  }

  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a frame; false when there is no open socket. With `buffer`, a frame sent while the client is
   * away within its grace period waits for it to come back. A socket too far behind is dropped, never
   * waited on.
   */
  send(frame: string, options?: { buffer?: boolean }): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      if (options?.buffer && !this.ended) this.keep(frame);
      return false;
    }
    if (this.shedding) return false;
    if (this.outboxBytes > 0 || this.unreadChars > this.window) {
      this.outbox.push(frame);
      this.outboxBytes += frame.length;
      if (this.outboxBytes === frame.length) this.budget?.watch(this);
      if (this.waitingBytes > this.options.limits.maxBufferedBytes) {
        if (this.metrics) this.metrics.slowDisconnects += 1;
        this.shed('too slow: send buffer full');
      }
    } else {
      this.write(socket, frame);
    }
    this.budget?.note(this);
    return true;
  }

  private write(socket: WebSocket, frame: string): void {
    this.metrics?.sentFrame(frame);
    this.lastTurn = writeWithinTurn(socket, this.lastTurn);
    writeText(socket, frame);
    this.writtenChars += frame.length;
    // A ping every half window: a reader that keeps up proves the first half while the second is
    // written, and every ping costs a write, a pong to read, and the client's own write.
    if (this.writtenChars - this.pingedChars >= this.window / 2) {
      this.pingedChars = this.writtenChars;
      // Writes stop once the window is full, so at most a window's worth of pings wait here.
      this.unanswered.push({ chars: this.writtenChars, at: Date.now() });
      socket.ping(String(this.writtenChars));
    }
  }

  /**
   * Writes what waits in the outbox while the socket keeps up (or all of it, with `all`, before a
   * close). True while frames still wait.
   */
  flushOutbox(all = false): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN || this.shedding) {
      this.dropOutbox();
      return false;
    }
    const frames = this.outbox;
    while (this.outboxHead < frames.length && (all || this.unreadChars <= this.window)) {
      const frame = frames[this.outboxHead]!;
      frames[this.outboxHead++] = '';
      this.outboxBytes -= frame.length;
      this.write(socket, frame);
    }
    if (this.outboxHead === frames.length) {
      this.outbox = [];
      this.outboxHead = 0;
    } else if (this.outboxHead > 1024 && this.outboxHead * 2 > frames.length) {
      this.outbox = frames.slice(this.outboxHead);
      this.outboxHead = 0;
    }
    this.budget?.note(this);
    return this.outboxBytes > 0;
  }

  private dropOutbox(): void {
    this.outbox = [];
    this.outboxHead = 0;
    this.outboxBytes = 0;
  }

  /**
   * Closes a reader that holds too much unsent (1008, with a retry-after hint so it does not come
   * straight back) and ends its session at once: what was queued for it is dropped, it leaves its
   * rooms and topics (no grace period during which every message would still be kept for it), and the
   * socket is cut if the client does not read its close frame soon. The client comes back as a new
   * session, which gets chat history and, on recoverable topics, what it missed.
   */
  shed(reason = 'too slow: hub send budget exceeded'): void {
    const socket = this.socket;
    if (this.shedding || !socket) return;
    this.shedding = true;
    this.dropOutbox();
    this.beside?.drop();
    const { retryAfterMs } = this.options.limits;
    socket.close(CloseCode.POLICY_VIOLATION, withRetryAfter(reason, retryAfterMs * (0.5 + Math.random() / 2)));
    setTimeout(() => cut(socket), SHED_LINGER_MS).unref();
    this.socket = null; // its close event is then not taken for a drop to wait out
    this.budget?.shed(this);
  }

  /** Counts a request dispatched and not answered yet; see {@link closeAfterPending}. */
  track(outcome: Promise<unknown>): void {
    this.pending.add(outcome);
    const done = () => void this.pending.delete(outcome);
    outcome.then(done, done);
  }

  /**
   * Stops handling this client's frames and closes the socket once every request already dispatched
   * was answered: a message that went out to others is acked before the close.
   */
  closeAfterPending(code: number, reason: string): void {
    if (this.flooded) return;
    this.flooded = true;
    const socket = this.socket;
    void Promise.allSettled([...this.pending]).then(() => {
      if (this.socket !== socket || !socket) return;
      this.flushOutbox(true);
      socket.close(code, reason);
    });
  }

  /** Counts `queue` as waiting for this connection, and drops it when it is shed or loses its socket. */
  queueBeside(queue: SideQueue): void {
    this.beside = queue;
  }

  /** What waits beside the outbox changed: tells the hub's send budget. */
  noteWaiting(): void {
    this.budget?.note(this);
  }

  /**
   * Lets go of the socket: it went away or is being replaced (returned, for the caller to close).
   * What was queued for it no longer applies: a resumed client asks for what it missed on recoverable
   * topics; the rest waits for it in the grace period's backlog.
   */
  detach(): WebSocket | null {
    const socket = this.socket;
    this.socket = null;
    // What waited in the outbox was never written to the dead socket: it waits for the resume too.
    const outbox = this.outbox.slice(this.outboxHead);
    this.dropOutbox();
    if (!this.shedding && !this.ended) for (const frame of outbox) this.keep(frame);
    this.shedding = false;
    this.flooded = false;
    this.beside?.drop((frame) => this.keep(frame));
    this.budget?.note(this);
    return socket;
  }

  /** Sends what waited during the grace period, in order. */
  flushBacklog(): void {
    const frames = this.backlog?.kept() ?? [];
    this.backlog = undefined;
    for (const frame of frames) this.send(frame);
  }

  private keep(frame: string): void {
    (this.backlog ??= new GraceBacklog()).keep(frame);
  }
}
