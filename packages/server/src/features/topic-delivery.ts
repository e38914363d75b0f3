import type { Connection, SideQueue } from '../connection.js';
import type { HubMetrics } from '../metrics.js';
import type { SlowTopicPolicy } from '../options.js';

/** How much a slow reader's topic queues may hold, and what happens past that. */
export interface SlowTopicLimits {
  /** Frames queued per topic. */
  maxQueued: number;
  policy(topic: string): SlowTopicPolicy;
  /** Bytes waiting for one connection, all told, past which its topic queue overflows too. */
  maxBufferedBytes: number;
}

/** A topic frame waiting for its reader, with its place in the topic's history (recoverable topics). */
type TopicFrame = { frame: string; seq: number | undefined };
/** A slow reader's frames of one topic, or (`since`) where its replay from history starts once it caught up. */
type SlowQueue = { frames: TopicFrame[]; since?: number };

/** Sends a topic frame to a connection that holds and queues nothing for the topic. */
export function sendTopicFrame(connection: Connection, frame: string, seq: number | undefined): void {
  // A numbered frame is not kept for a client away in its grace period: it comes back asking for
  // what it missed by sequence, which keeps the order; kept frames would arrive before that replay.
  connection.send(frame, { buffer: seq === undefined });
}

/**
 * Topic delivery to one connection when a frame cannot simply be sent: live frames held back while
 * a replay from history is under way (or until a resumed client asks for one), and a slow reader's
 * per-topic queues with their overflow policy. `Topics` makes one for a connection when it first
 * needs it; the connection counts what is queued here as waiting for it, and drops it when it is
 * shed or loses its socket.
 */
export class TopicDelivery implements SideQueue {
  /** Characters in the slow queues. */
  bytes = 0;
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
  // The maps above are made on first use: a connection that needed a hold seldom needs a queue too,
  // and an empty Map is ~200 bytes.
  private get held() { return (this._held ??= new Map()); }
  private get resumeHolds() { return (this._resumeHolds ??= new Map()); }
  private get slowQueues() { return (this._slowQueues ??= new Map()); }

  constructor(readonly connection: Connection, private readonly limits: SlowTopicLimits, private readonly metrics?: HubMetrics) {
    connection.queueBeside(this);
  }

  /**
   * Sends a topic frame, holds it back while that topic's history is being replayed to this
   * connection, or queues it while the reader is slow. True when it was queued: the caller must call
   * {@link drain} once the reader may have caught up.
   */
  send(topic: string, frame: string, seq: number | undefined): boolean {
    const held = this._held?.get(topic);
    if (held) {
      held.frames.push({ frame, seq });
      return false;
    }
    const queue = this._slowQueues?.get(topic);
    if (queue || this.connection.isSlow) {
      this.enqueue(topic, queue, frame, seq);
      return true;
    }
    sendTopicFrame(this.connection, frame, seq);
    return false;
  }

  /** Whether topic frames wait for this slow reader. */
  get hasQueued(): boolean {
    return (this._slowQueues?.size ?? 0) > 0;
  }

  /**
   * Sends what queued while the reader was slow, in order, until it falls behind again. Returns the
   * recoverable topics whose queue overflowed, with the sequence their replay from history starts after.
   */
  drain(): { topic: string; since: number }[] {
    const catchUp: { topic: string; since: number }[] = [];
    const connection = this.connection;
    for (const [topic, queue] of this.slowQueues) {
      if (connection.isSlow) break;
      if (queue.since !== undefined) {
        catchUp.push({ topic, since: queue.since });
        this.slowQueues.delete(topic);
        continue;
      }
      let sent = 0;
      while (sent < queue.frames.length && !connection.isSlow) {
        const { frame } = queue.frames[sent++]!;
        this.bytes -= frame.length;
        connection.send(frame);
      }
      queue.frames.splice(0, sent);
      if (queue.frames.length === 0) this.slowQueues.delete(topic);
    }
    return catchUp;
  }

  /**
   * Drops every queue: the reader was shed, or its socket went away. A resumed client asks for what it
   * missed on recoverable topics; other topics' frames go to `keep`, to wait in the grace period's backlog.
   */
  drop(keep?: (frame: string) => void): void {
    this.bytes = 0;
    if (!this._slowQueues) return;
    if (keep) for (const queue of this.slowQueues.values()) for (const { frame, seq } of queue.frames) if (seq === undefined) keep(frame);
    this.slowQueues.clear();
  }

  private enqueue(topic: string, existing: SlowQueue | undefined, frame: string, seq: number | undefined): void {
    const queue = existing ?? { frames: [] };
    if (!existing) this.slowQueues.set(topic, queue);
    if (queue.since !== undefined || this.connection.isShed) return; // the replay from history will bring it
    queue.frames.push({ frame, seq });
    this.bytes += frame.length;
    this.overflow(topic, queue);
    this.connection.noteWaiting();
  }

  private overflow(topic: string, queue: SlowQueue): void {
    const { maxQueued, policy, maxBufferedBytes } = this.limits;
    if (queue.frames.length <= maxQueued && this.connection.waitingBytes <= maxBufferedBytes) return;
    if (policy(topic) === 'disconnect') {
      if (this.metrics) this.metrics.slowDisconnects += 1;
      this.connection.shed('too slow: topic queue full');
      return;
    }
    const oldest = queue.frames[0]!.seq;
    if (oldest === undefined) {
      this.bytes -= queue.frames.shift()!.frame.length;
      return;
    }
    // Numbered, so kept in the history: hold nothing here and replay from there once caught up. Frames
    // of a topic queue in order from the first one not sent, so the client has everything before it.
    queue.since = oldest - 1;
    for (const queued of queue.frames) this.bytes -= queued.frame.length;
    queue.frames = [];
  }

  /** Holds a topic's live frames back until a matching {@link release}; holds nest. */
  hold(topic: string): void {
    const held = this.held.get(topic);
    if (held) held.holders += 1;
    else this.held.set(topic, { frames: [], lastSeq: 0, holders: 1 });
  }

  /**
   * A resumed connection holds its recoverable topic until its client re-subscribes asking for what it
   * missed ({@link endResumeHold}), or `timeoutMs` passed. A second resume renews the wait, not the hold.
   */
  holdForResume(topic: string, timeoutMs: number): void {
    if (!this.resumeHolds.has(topic)) this.hold(topic);
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
    this.release(topic);
  }

  /** A replay under a hold sent the topic's frame `seq`: the held live frames up to it are not sent again. */
  replayed(topic: string, seq: number): void {
    const held = this._held?.get(topic);
    if (held) held.lastSeq = Math.max(held.lastSeq, seq);
  }

  /** Ends a hold; when it was the last, sends the live frames held meanwhile, but not those a replay already carried. */
  release(topic: string): void {
    const held = this._held?.get(topic);
    if (!held) return;
    held.holders -= 1;
    if (held.holders > 0) return;
    this.held.delete(topic);
    for (const { frame, seq } of held.frames) if (seq === undefined || seq > held.lastSeq) this.connection.send(frame, { buffer: true });
  }

  /** The client no longer wants the topic: every hold on it ends and its queue is dropped, nothing is sent. */
  forget(topic: string): void {
    for (const queued of this._slowQueues?.get(topic)?.frames ?? []) this.bytes -= queued.frame.length;
    this._slowQueues?.delete(topic);
    this._resumeHolds?.delete(topic);
    this._held?.delete(topic);
  }
}
