import { ErrorCode, GhostError, encode } from '@ghost/protocol';
import type { Adapter } from '../adapters/adapter.js';
import type { Connection } from '../connection.js';
import { channels, type Cluster } from '../cluster.js';
import { createId } from '../ids.js';
import type { HubMetrics } from '../metrics.js';
import { sendTopicFrame, TopicDelivery, type SlowTopicLimits } from './topic-delivery.js';

/** Which topics are recoverable, and how much of each is kept. */
export interface TopicRecovery {
  recoverable(topic: string): boolean;
  historySize: number;
  /** Idle lifetime of a topic's history in ms, renewed by each publish (`Infinity`: never expires). */
  ttlMs: number;
}

/** Who published, for recoverable topics: a resend after a reconnect is delivered once. */
export interface Publisher {
  clientId: string | undefined;
  ref: number | undefined;
}

/** How long a resumed connection's recoverable topics wait for the client to re-subscribe. */
export const RESUME_HOLD_MS = 5000;
/** How long a (client, request) pair is remembered to refuse a resend: longer than any reconnect. */
export const RESEND_WINDOW_MS = 10 * 60_000;

/** Topic subscriptions of this node's connections, delivery to them, and recovery on recoverable topics. */
export class Topics {
  private readonly subscribers = new Map<string, Set<Connection>>();
  /**
   * Delivery state of the connections that needed one (a hold, or a slow reader's queue), made then:
   * most connections never need it. Forgotten when the connection ends.
   */
  private readonly deliveries = new Map<Connection, TopicDelivery>();
  /** Slow readers with topic frames queued for them, and the timer that checks whether they caught up. */
  private readonly slow = new Set<TopicDelivery>();
  private pumpTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly cluster: Cluster,
    private readonly store: Adapter,
    private readonly maxTopics: number,
    private readonly recovery: TopicRecovery,
    private readonly slowLimits: SlowTopicLimits,
    /** How often slow readers are checked for having caught up (the presence tick). */
    private readonly pumpMs: number,
    private readonly metrics?: HubMetrics,
  ) {}

  /** Messages delivered here per topic while it has local subscribers (for the inspector's rates). */
  private readonly delivered = new Map<string, number>();

  /** Each topic with local subscribers: how many, messages delivered here, and whether it keeps history. */
  list(): { topic: string; subscribers: number; delivered: number; recoverable: boolean }[] {
    return [...this.subscribers].map(([topic, set]) => ({
      topic, subscribers: set.size, delivered: this.delivered.get(topic) ?? 0, recoverable: this.recovery.recoverable(topic),
    }));
  }

  /** The sequences a recoverable topic's history holds now; undefined for a topic that keeps none. */
  async history(topic: string): Promise<{ oldestSeq: number; lastSeq: number } | undefined> {
    if (!this.recovery.recoverable(topic)) return undefined;
    const { oldestSeq, lastSeq } = await this.store.range(stream(topic), Number.MAX_SAFE_INTEGER, 1);
    return { oldestSeq, lastSeq };
  }

  /** Number of topics with at least one local subscriber. */
  get size(): number {
    return this.subscribers.size;
  }

  /**
   * Subscribes a connection. With `since` on a recoverable topic, first sends what was published after
   * that sequence (or a `topic.reset` when it is older than the history), holding back live messages
   * until then, so the client sees every message once and in order.
   */
  async subscribe(connection: Connection, topic: string, since?: number): Promise<{ seq: number } | undefined> {
    const recoverable = this.recovery.recoverable(topic);
    const replay = since !== undefined && recoverable;
    // A fresh subscriber to a recoverable topic learns where it starts (the newest number given out,
    // 0 for an empty history), so a cut before its first message still leaves it a place to ask from.
    // Read before it is added: what is published meanwhile is after it, and arrives or is asked for.
    if (!replay) {
      const start = recoverable ? (await this.history(topic))!.lastSeq : undefined;
      this.deliveries.get(connection)?.endResumeHold(topic); // the client asked again: see `holdForResume`
      await this.add(connection, topic);
      return start === undefined ? undefined : { seq: start };
    }
    // The resume's hold gives way to this replay's own, which keeps live frames back until it is out.
    await this.replayHolding(connection, topic, async (delivery) => {
      delivery.endResumeHold(topic);
      await this.add(connection, topic);
      await this.replay(delivery, topic, since);
    });
    return undefined;
  }

  async unsubscribe(connection: Connection, topic: string): Promise<void> {
    this.deliveries.get(connection)?.forget(topic);
    if (this.remove(connection, topic)) await this.syncBus(topic);
  }

  /**
   * A connection resumed: until its client re-subscribes asking for what it missed, hold its
   * recoverable topics' live frames, or they would overtake that replay.
   */
  holdForResume(connection: Connection): void {
    for (const topic of connection.topics) if (this.recovery.recoverable(topic)) this.deliveryOf(connection).holdForResume(topic, RESUME_HOLD_MS);
  }

  /**
   * Delivers to local subscribers at once, then to other nodes; `from` is a connection id or null for
   * the server. A recoverable topic's message is numbered and kept first.
   */
  async publish(topic: string, data: unknown, from: string | null, publisher?: Publisher): Promise<void> {
    const ts = Date.now();
    let seq: number | undefined;
    if (this.recovery.recoverable(topic)) {
      if (publisher?.clientId !== undefined && publisher.ref !== undefined) {
        // A fresh owner per attempt: a second attempt of the same request finds the key held and stops.
        const key = `topic:{${topic}}:sent:${publisher.clientId}:${publisher.ref}`;
        if (!(await this.store.claim(key, createId(), RESEND_WINDOW_MS))) return;
      }
      seq = await this.store.append(stream(topic), JSON.stringify({ data, from, ts }), this.recovery.historySize, this.recovery.ttlMs);
    }
    const frame = encode({ type: 'topic.message', topic, data, from, ts, ...(seq === undefined ? {} : { seq }) });
    this.deliver(topic, frame, seq);
    await this.cluster.publish(channels.topic(this.cluster.prefix, topic), { kind: 'topic', topic, frame, seq });
  }

  /** Stops checking on slow readers (the hub is closing). */
  close(): void {
    this.slow.clear();
    this.stopPump();
  }

  private stopPump(): void {
    clearInterval(this.pumpTimer);
    this.pumpTimer = undefined;
  }

  /** Forgets every subscription of a connection that ended. */
  async drop(connection: Connection): Promise<void> {
    const unsubscribed = Promise.all([...connection.topics].map((topic) => this.unsubscribe(connection, topic)));
    this.deliveries.delete(connection);
    await unsubscribed;
  }

  /** The connection's delivery state, made on first need. */
  private deliveryOf(connection: Connection): TopicDelivery {
    let delivery = this.deliveries.get(connection);
    if (!delivery) {
      delivery = new TopicDelivery(connection, this.slowLimits, this.metrics);
      // Not kept for a connection that ended: `drop`, which forgets it, has already run.
      if (!connection.ended) this.deliveries.set(connection, delivery);
    }
    return delivery;
  }

  private async add(connection: Connection, topic: string): Promise<void> {
    if (connection.topics.has(topic)) return;
    if (connection.topics.size >= this.maxTopics) {
      throw new GhostError(ErrorCode.FORBIDDEN, `A connection may subscribe to at most ${this.maxTopics} topics`);
    }
    // Local delivery starts now; only messages from other nodes wait for the bus subscription.
    connection.topics.add(topic);
    const set = this.subscribers.get(topic);
    if (set) set.add(connection);
    else this.subscribers.set(topic, new Set([connection]));
    try {
      await this.syncBus(topic);
    } catch (error) {
      this.remove(connection, topic);
      throw new GhostError(ErrorCode.INTERNAL, `Could not subscribe to ${JSON.stringify(topic)} across the cluster; try again`, { cause: error });
    }
  }

  /**
   * A slow reader's queue for a recoverable topic overflowed and was let go: now that it caught up,
   * send what it missed from the history, holding back live frames meanwhile, as a resume does.
   */
  private async catchUp(connection: Connection, topic: string, since: number): Promise<void> {
    if (!connection.topics.has(topic)) return;
    await this.replayHolding(connection, topic, (delivery) => this.replay(delivery, topic, since)).catch(() => {
      // The store failed: tell the client it missed messages rather than let it believe it has them all.
      connection.send(encode({ type: 'topic.reset', topic }));
    });
  }

  /** Runs `replaying` with the topic's live frames held back for this connection, then lets them go. */
  private async replayHolding(connection: Connection, topic: string, replaying: (delivery: TopicDelivery) => Promise<void>): Promise<void> {
    const delivery = this.deliveryOf(connection);
    delivery.hold(topic);
    try {
      await replaying(delivery);
    } finally {
      delivery.release(topic);
    }
  }

  private pump(): void {
    for (const delivery of this.slow) {
      if (!delivery.connection.isOpen || !delivery.hasQueued) {
        this.slow.delete(delivery);
        continue;
      }
      for (const { topic, since } of delivery.drain()) void this.catchUp(delivery.connection, topic, since);
      if (!delivery.hasQueued) this.slow.delete(delivery);
    }
    if (this.slow.size === 0) this.stopPump();
  }

  private watchSlow(delivery: TopicDelivery): void {
    this.slow.add(delivery);
    this.pumpTimer ??= setInterval(() => this.pump(), this.pumpMs).unref();
  }

  private async replay(delivery: TopicDelivery, topic: string, since: number): Promise<void> {
    const { connection } = delivery;
    const { entries, oldestSeq, lastSeq } = await this.store.range(stream(topic), since, this.recovery.historySize);
    // Older than what is kept, or from before the history started anew (a store that lost it): gone.
    // `since` 0 is a subscriber that started on an empty history: all of it is news to it, unless the
    // history is full and may have dropped some.
    const gone = since === 0 ? entries.length >= this.recovery.historySize : since + 1 < oldestSeq || since > lastSeq;
    if (gone) connection.send(encode({ type: 'topic.reset', topic }));
    if (this.metrics) {
      this.metrics.recoveryReplays += 1;
      this.metrics.recoveryReplayedMessages += entries.length;
    }
    for (const [seq, entry] of entries) {
      const { data, from, ts } = JSON.parse(entry) as { data: unknown; from: string | null; ts: number };
      connection.send(encode({ type: 'topic.message', topic, data, from, ts, seq }));
      delivery.replayed(topic, seq);
    }
  }

  /** Removes one subscription locally; true when it was the topic's last one here. */
  private remove(connection: Connection, topic: string): boolean {
    if (!connection.topics.delete(topic)) return false;
    const set = this.subscribers.get(topic);
    if (!set) return false;
    set.delete(connection);
    if (set.size > 0) return false;
    this.subscribers.delete(topic);
    this.delivered.delete(topic);
    return true;
  }

  private syncBus(topic: string): Promise<void> {
    return this.cluster.sync(channels.topic(this.cluster.prefix, topic), () => this.subscribers.has(topic), (envelope) => {
      if (envelope.kind === 'topic') this.deliver(envelope.topic, envelope.frame, envelope.seq);
    });
  }

  private deliver(topic: string, frame: string, seq: number | undefined): void {
    const set = this.subscribers.get(topic);
    if (!set) return;
    this.delivered.set(topic, (this.delivered.get(topic) ?? 0) + 1);
    for (const connection of set) {
      const delivery = this.deliveries.get(connection) ?? (connection.isSlow ? this.deliveryOf(connection) : undefined);
      if (!delivery) sendTopicFrame(connection, frame, seq);
      else if (delivery.send(topic, frame, seq)) this.watchSlow(delivery);
    }
  }
}

function stream(topic: string): string {
  return `topic:{${topic}}:history`;
}
