import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { CloseCode, type LeaveReason } from '@ghost/protocol';
import type { GhostUser, ResolvedHubOptions } from './options.js';
import { TokenBucket } from './rate-limit.js';
import { createId, createSecret, nextColor } from './ids.js';

const REMEMBERED_REFS = 256;
// What a CSS colour can look like (#hex, rgb(), hsl(), names): no quotes or backslashes, since the
// colour is written into frames as it is.
const CSS_COLOR = /^[#a-zA-Z0-9(),.%/ -]{1,64}$/;
// What a connection in its grace period may have waiting for it; past this the oldest is dropped.
const MAX_BACKLOG_BYTES = 1024 * 1024;

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
  /** Per topic being replayed: live frames held back until the replay is out, and the last seq it sent. */
  private readonly held = new Map<string, { frames: { frame: string; seq: number | undefined }[]; lastSeq: number }>();
  /** The client instance's id (`client` query parameter), stable across its reconnects and nodes. */
  clientId: string | undefined;
  private backlog: string[] = [];
  private backlogBytes = 0;
  /** Set once the connection is over for good (left, or its grace period ran out). */
  ended = false;

  constructor(
    readonly user: GhostUser | undefined,
    public request: IncomingMessage,
    /** The client's address (see the hub's `trustProxy`). */
    readonly address: string,
    private readonly options: ResolvedHubOptions,
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

  /** Whether the socket has more waiting to be sent than `slowBufferedBytes`: a slow reader. */
  get isSlow(): boolean {
    return this.socket !== null && this.socket.bufferedAmount > this.options.limits.slowBufferedBytes;
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
    if (socket.bufferedAmount > this.options.limits.maxBufferedBytes) {
      socket.close(CloseCode.POLICY_VIOLATION, 'too slow: send buffer full');
      return false;
    }
    socket.send(frame);
    return true;
  }

  /** Sends a topic frame, or holds it back while that topic's history is being replayed to this connection. */
  sendTopic(topic: string, frame: string, seq: number | undefined): void {
    const held = this.held.get(topic);
    if (held) held.frames.push({ frame, seq });
    // A numbered frame is not kept for a client away in its grace period: it comes back asking for
    // what it missed by sequence, which keeps the order; kept frames would arrive before that replay.
    else this.send(frame, { buffer: seq === undefined });
  }

  holdTopic(topic: string): void {
    if (!this.held.has(topic)) this.held.set(topic, { frames: [], lastSeq: 0 });
  }

  replayed(topic: string, seq: number): void {
    const held = this.held.get(topic);
    if (held) held.lastSeq = Math.max(held.lastSeq, seq);
  }

  /**
   * Ends a replay: sends the live frames held meanwhile, but not those the replay already carried
   * (or none, when the client no longer wants the topic).
   */
  releaseTopic(topic: string, deliver = true): void {
    const held = this.held.get(topic);
    if (!held) return;
    this.held.delete(topic);
    if (!deliver) return;
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
    const frames = this.backlog;
    this.backlog = [];
    this.backlogBytes = 0;
    for (const frame of frames) this.send(frame);
  }

  private keep(frame: string): void {
    this.backlog.push(frame);
    this.backlogBytes += frame.length;
    while (this.backlogBytes > MAX_BACKLOG_BYTES && this.backlog.length > 0) {
      this.backlogBytes -= this.backlog.shift()!.length;
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
