import { WebSocket } from 'ws';
import { CloseCode, withRetryAfter, type LeaveReason } from '@ghost/protocol';
import type { GhostUser, ResolvedHubOptions } from './options.js';
import type { HubMetrics } from './metrics.js';
import { TokenBucket } from './rate-limit.js';
import { createId, createSecret, nextColor } from './ids.js';
import type { SendBudget } from './send-budget.js';

/** Requests per session whose outcome is remembered by ref, so a resend is answered again and not redone. */
export const REMEMBERED_REFS = 256;
// What a CSS colour can look like (#hex, rgb(), hsl(), names): no quotes or backslashes, since the
// colour is written into frames as it is.
const CSS_COLOR = /^[#a-zA-Z0-9(),.%/ -]{1,64}$/;
/** What a connection in its grace period may have waiting for it (characters of frames); past this the oldest is dropped. */
export const MAX_BACKLOG_BYTES = 1024 * 1024;
/**
 * How long a shed reader's socket may take to read its close frame (behind at most `slowBufferedBytes`)
 * before it is cut: a client that still reads learns why; one that never reads frees its buffers.
 */
export const SHED_LINGER_MS = 2000;

/** A topic frame waiting for its reader, with its place in the topic's history (recoverable topics). */
type TopicFrame = { frame: string; seq: number | undefined };
/** A slow reader's frames of one topic, or (`since`) where its replay from history starts once it caught up. */
type SlowQueue = { frames: TopicFrame[]; since?: number };

const TEXT = { binary: false };
/**
 * What the hub writes to a new socket before its client proved it reads (TCP starts about as small,
 * ~14 KiB): a reader that joins a flood and never reads costs this much, not `slowBufferedBytes`.
 */
export const FIRST_WINDOW_CHARS = 16 * 1024;
/** The most the hub writes ahead of what a reader proved it read; beyond it, frames wait in its outbox. */
export const MAX_WINDOW_CHARS = 256 * 1024;

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
let lastFrame = '';
let lastBytes = Buffer.alloc(0);

/**
 * A frame's UTF-8 bytes. A broadcast sends the same string to every recipient in a row: encoded once
 * here, instead of once per socket inside ws (~200 ns per 126-byte frame each).
 */
function utf8Of(frame: string): Buffer {
  if (frame !== lastFrame) {
    lastFrame = frame;
    lastBytes = Buffer.from(frame);
  }
  return lastBytes;
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
  private secret = createSecret();
  // The token the client resumed with stays good until it proves it got the new one (its first frame
  // on the new socket): a socket that dies before the welcome arrives must not strand the session.
  private previousSecret: string | undefined;
  socket: WebSocket | null = null;
  lastSeen = Date.now();
  /** Why the socket went away, for the leave reason if the grace period runs out. */
  dropReason: LeaveReason = 'disconnected';
  graceTimer: NodeJS.Timeout | undefined;
  readonly topics = new Set<string>();
  readonly rooms = new Set<string>();
  /** Answers of the app's `authorize`, by target and action, for this connection's life. */
  readonly decisions = new Map<string, boolean | Promise<boolean>>();
  /** Chat rooms read, with the name held in each (undefined until `identify`). */
  readonly chats = new Map<string, string | undefined>();
  readonly bucket: TokenBucket;
  /** Cursor moves have their own budget, so they never starve the connection's other messages. */
  readonly presenceBucket: TokenBucket;
  // Results of recent requests by ref: a request resent after a reconnect is answered again, not redone.
  private readonly results = new Map<number, unknown>();
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Per topic being replayed: live frames held back until every replay under way is out, the last seq
   * they sent, and how many holds are on it (replays overlap when a client reconnects during one).
   */
  private _held?: Map<string, { frames: TopicFrame[]; lastSeq: number; holders: number }>;
  /** The hold a resume put on each recoverable topic until the client asks again, by a token its timer checks. */
  private _resumeHolds?: Map<string, object>;
  /**
   * Per topic, what waits for this reader while it is slow: frames in order, or, once a recoverable
   * topic's queue overflowed, only where the replay from history must start when it caught up.
   */
  private _slowQueues?: Map<string, SlowQueue>;
  // The maps above are made on first use: most connections never need them, and an empty Map is
  // ~200 bytes of every idle connection.
  private get held() { return (this._held ??= new Map()); }
  private get resumeHolds() { return (this._resumeHolds ??= new Map()); }
  private get slowQueues() { return (this._slowQueues ??= new Map()); }
  /** The client instance's id (`client` query parameter), stable across its reconnects and nodes. */
  clientId: string | undefined;
  /** Frames kept for a client away in its grace period, from `backlogHead` on (dropping the oldest is O(1)). */
  private backlog: string[] = [];
  private backlogHead = 0;
  private backlogBytes = 0;
  /**
   * Frames waiting for a slow reader, in order, from `outboxHead` on. Once its socket holds more than
   * `slowBufferedBytes` nothing more is written to it (a write buffered in a socket costs its own
   * copy and bookkeeping); the queue only holds the frame strings every recipient shares.
   */
  private outbox: string[] = [];
  private outboxHead = 0;
  /** Characters in the outbox. */
  private outboxBytes = 0;
  /** Characters in the per-topic slow queues. */
  private topicQueuedBytes = 0;
  /**
   * Characters of frames written to the current socket, and how many of them the client has proven it
   * read (each WebSocket pong answers a ping that carried the count written before it). The kernel takes
   * what a socket is given whether or not its reader reads, up to megabytes per socket on loopback: the
   * gap, not the socket's own buffer, tells a reader that stopped reading.
   */
  private writtenChars = 0;
  private readChars = 0;
  /** `writtenChars` when the last ping went out. */
  private pingedChars = 0;
  /** Pings not answered yet, oldest first: what each proves once answered, and when it went out. */
  private unanswered: { chars: number; at: number }[] = [];
  /** What this connection last reported to the hub's send budget. */
  accounted = 0;
  /** Set when the hub closed this connection for holding too much unsent: nothing more is queued for it. */
  private shedding = false;
  /** Requests dispatched and not answered yet: a flood close waits for their answers. */
  private readonly pending = new Set<Promise<unknown>>();
  /** Set once the rate limit decided to close: later frames are not handled. */
  flooded = false;
  /** Set once the connection is over for good (left, or its grace period ran out). */
  ended = false;

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

  get resumeToken(): string {
    return `${this.id}.${this.secret}`;
  }

  acceptsResume(secret: string): boolean {
    return secret === this.secret || (this.previousSecret !== undefined && secret === this.previousSecret);
  }

  /** A token is good for one resume: each welcome carries a new one. */
  rotateSecret(): void {
    this.previousSecret = this.secret;
    this.secret = createSecret();
  }

  confirmSecret(): void {
    this.previousSecret = undefined;
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
   * client proved it read (as TCP's slow start does), up to {@link MAX_WINDOW_CHARS}.
   */
  private get window(): number {
    return Math.min(MAX_WINDOW_CHARS, FIRST_WINDOW_CHARS + 2 * this.readChars);
  }

  /**
   * Since when this reader has not proven it read what was written to it (its oldest unanswered ping
   * went out then); now for one that is not behind. A reader that reads, however slowly, keeps it recent.
   */
  get progressAt(): number {
    return this.unanswered[0]?.at ?? Date.now();
  }

  /** Gives the connection its (new) socket: nothing is written to it yet, nothing proven read. */
  useSocket(socket: WebSocket): void {
    this.socket = socket;
    this.writtenChars = this.readChars = this.pingedChars = 0;
    this.unanswered = [];
    socket.on('pong', (payload: Buffer) => this.onPong(socket, payload));
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
    return (this.socket?.bufferedAmount ?? 0) + this.outboxBytes + this.topicQueuedBytes;
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
    socket.send(utf8Of(frame), TEXT);
    this.writtenChars += frame.length;
    // A ping every quarter of the window, so a reader that keeps up proves it before the window is full.
    if (this.writtenChars - this.pingedChars >= this.window / 4) {
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
    this._slowQueues?.clear();
    this.topicQueuedBytes = 0;
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

  /**
   * Sends a topic frame, holds it back while that topic's history is being replayed to this
   * connection, or queues it while the reader is slow. True when it was queued: the caller must call
   * {@link drainTopics} once the reader may have caught up.
   */
  sendTopic(topic: string, frame: string, seq: number | undefined): boolean {
    const held = this._held?.get(topic);
    if (held) {
      held.frames.push({ frame, seq });
      return false;
    }
    const queue = this._slowQueues?.get(topic);
    if (queue || this.isSlow) {
      this.enqueue(topic, queue, frame, seq);
      return true;
    }
    // A numbered frame is not kept for a client away in its grace period: it comes back asking for
    // what it missed by sequence, which keeps the order; kept frames would arrive before that replay.
    this.send(frame, { buffer: seq === undefined });
    return false;
  }

  /** Whether topic frames wait for this slow reader. */
  get hasQueuedTopics(): boolean {
    return (this._slowQueues?.size ?? 0) > 0;
  }

  /**
   * Sends what queued while the reader was slow, in order, until it falls behind again. Returns the
   * recoverable topics whose queue overflowed, with the sequence their replay from history starts after.
   */
  drainTopics(): { topic: string; since: number }[] {
    const catchUp: { topic: string; since: number }[] = [];
    for (const [topic, queue] of this.slowQueues) {
      if (this.isSlow) break;
      if (queue.since !== undefined) {
        catchUp.push({ topic, since: queue.since });
        this.slowQueues.delete(topic);
        continue;
      }
      let sent = 0;
      while (sent < queue.frames.length && !this.isSlow) {
        const { frame } = queue.frames[sent++]!;
        this.topicQueuedBytes -= frame.length;
        this.send(frame);
      }
      queue.frames.splice(0, sent);
      if (queue.frames.length === 0) this.slowQueues.delete(topic);
    }
    return catchUp;
  }

  /**
   * The socket went away: what queued for it no longer applies. A resumed client asks for what it
   * missed on recoverable topics; other topics' frames wait for it in the grace period's backlog.
   */
  dropQueuedTopics(): void {
    // What waited in the outbox was never written to the dead socket: it waits for the resume too.
    const outbox = this.outbox.slice(this.outboxHead);
    this.dropOutbox();
    if (!this.shedding && !this.ended) for (const frame of outbox) this.keep(frame);
    this.shedding = false;
    this.flooded = false;
    this.topicQueuedBytes = 0;
    this.budget?.note(this);
    if (!this._slowQueues) return;
    for (const queue of this.slowQueues.values()) for (const { frame, seq } of queue.frames) if (seq === undefined) this.keep(frame);
    this.slowQueues.clear();
  }

  private enqueue(topic: string, existing: SlowQueue | undefined, frame: string, seq: number | undefined): void {
    const queue = existing ?? { frames: [] };
    if (!existing) this.slowQueues.set(topic, queue);
    if (queue.since !== undefined || this.shedding) return; // the replay from history will bring it
    queue.frames.push({ frame, seq });
    this.topicQueuedBytes += frame.length;
    this.overflow(topic, queue);
    this.budget?.note(this);
  }

  private overflow(topic: string, queue: SlowQueue): void {
    const { maxQueued, policy } = this.options.slowTopics;
    if (queue.frames.length <= maxQueued && this.waitingBytes <= this.options.limits.maxBufferedBytes) return;
    if (policy(topic) === 'disconnect') {
      if (this.metrics) this.metrics.slowDisconnects += 1;
      this.shed('too slow: topic queue full');
      return;
    }
    const oldest = queue.frames[0]!.seq;
    if (oldest === undefined) {
      this.topicQueuedBytes -= queue.frames.shift()!.frame.length;
      return;
    }
    // Numbered, so kept in the history: hold nothing here and replay from there once caught up. Frames
    // of a topic queue in order from the first one not sent, so the client has everything before it.
    queue.since = oldest - 1;
    for (const queued of queue.frames) this.topicQueuedBytes -= queued.frame.length;
    queue.frames = [];
  }

  /** Holds a topic's live frames back until a matching {@link releaseTopic}; holds nest. */
  holdTopic(topic: string): void {
    const held = this.held.get(topic);
    if (held) held.holders += 1;
    else this.held.set(topic, { frames: [], lastSeq: 0, holders: 1 });
  }

  /**
   * A resumed connection holds its recoverable topic until its client re-subscribes asking for what it
   * missed ({@link endResumeHold}), or `timeoutMs` passed. A second resume renews the wait, not the hold.
   */
  holdForResume(topic: string, timeoutMs: number): void {
    if (!this.resumeHolds.has(topic)) this.holdTopic(topic);
    const token = {};
    this.resumeHolds.set(topic, token);
    // A client that does not re-subscribe (not ours, or gone again) must not pile frames up here.
    setTimeout(() => {
      if (this.resumeHolds.get(topic) === token) this.endResumeHold(topic);
    }, timeoutMs).unref();
  }

  /** The client re-subscribed (or never will): the resume's hold on the topic ends. */
  endResumeHold(topic: string): void {
    if (!this._resumeHolds?.delete(topic)) return;
    this.releaseTopic(topic);
  }

  replayed(topic: string, seq: number): void {
    const held = this.held.get(topic);
    if (held) held.lastSeq = Math.max(held.lastSeq, seq);
  }

  /**
   * Ends a hold; when it was the last, sends the live frames held meanwhile, but not those a replay
   * already carried. With `deliver` false (the client no longer wants the topic) every hold ends and
   * nothing is sent.
   */
  releaseTopic(topic: string, deliver = true): void {
    if (!deliver) {
      for (const queued of this._slowQueues?.get(topic)?.frames ?? []) this.topicQueuedBytes -= queued.frame.length;
      this._slowQueues?.delete(topic);
      this._resumeHolds?.delete(topic);
      this._held?.delete(topic);
      return;
    }
    const held = this.held.get(topic);
    if (!held) return;
    held.holders -= 1;
    if (held.holders > 0) return;
    this.held.delete(topic);
    for (const { frame, seq } of held.frames) if (seq === undefined || seq > held.lastSeq) this.send(frame, { buffer: true });
  }

  /** Runs `step` after every step queued before it has settled. */
  inOrder<T>(step: () => Promise<T>): Promise<T> {
    const result = this.queue.then(step, step);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Sends what waited during the grace period, in order. */
  flushBacklog(): void {
    const frames = this.backlog.slice(this.backlogHead);
    this.backlog = [];
    this.backlogHead = 0;
    this.backlogBytes = 0;
    for (const frame of frames) this.send(frame);
  }

  private keep(frame: string): void {
    this.backlog.push(frame);
    this.backlogBytes += frame.length;
    while (this.backlogBytes > MAX_BACKLOG_BYTES && this.backlogHead < this.backlog.length) {
      this.backlogBytes -= this.backlog[this.backlogHead]!.length;
      this.backlog[this.backlogHead++] = '';
    }
    if (this.backlogHead > 1024 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  rememberResult(ref: number, result: unknown): void {
    this.results.set(ref, result);
    if (this.results.size > REMEMBERED_REFS) this.results.delete(this.results.keys().next().value!);
  }

  forgetResult(ref: number): void {
    this.results.delete(ref);
  }

  hasResult(ref: number): boolean {
    return this.results.has(ref);
  }

  resultOf(ref: number): unknown {
    return this.results.get(ref);
  }
}
