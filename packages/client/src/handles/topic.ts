import type { ClientCore } from '../core.js';

/** What a topic subscriber learns besides the data. */
export interface TopicMeta {
  /** The topic the message was published to. */
  topic: string;
  /** The publisher's connection id, or `null` when the server published it (`hub.publish`). */
  from: string | null;
  /** When the hub accepted it, in milliseconds since the epoch. */
  ts: number;
  /** On a recoverable topic: its place in the topic's history. */
  seq?: number;
}

/** Receives a topic's messages. */
export type TopicHandler<T> = (data: T, meta: TopicMeta) => void;

// How long a recoverable topic's message past a gap waits for the gap to fill by itself (a replay under
// way, another node's message still on the bus) before the handle asks the hub for what is missing.
const GAP_WAIT_MS = 1000;
// A hub fills a gap it is asked about or says `reset`; one that does neither this many times running is
// not going to, and the handle goes on without the missing messages (and says so).
const MAX_GAP_ASKS = 3;

/**
 * A topic: publish to it, subscribe to it. Get one with `client.topic(name)`; the same name always
 * gives the same handle.
 */
export class TopicHandle<T = unknown> {
  private readonly handlers = new Set<TopicHandler<T>>();
  private readonly resetHandlers = new Set<() => void>();
  // Recoverable topics number their messages consecutively, so the handle delivers them in order, each
  // once: `lastSeq` is the last one delivered (and what a reconnect asks to continue from); a message
  // past a gap waits in `waiting` until the gap fills.
  private lastSeq: number | undefined;
  private readonly waiting = new Map<number, { data: T; meta: TopicMeta }>();
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private gapAsks = 0;
  // A subscribe waiting for its answer: it is sent (again) by the outbox on reconnect, so a reconnect
  // does not ask a second time.
  private subscribing = false;
  // Whether the hub may hold a subscription for us, so a reconnect can also take back one it keeps.
  private everSubscribed = false;

  /** @internal */
  constructor(
    private readonly core: ClientCore,
    /** The topic's name. */
    readonly name: string,
  ) {}

  /** Whether any handler is subscribed. */
  get subscribed(): boolean {
    return this.handlers.size > 0;
  }

  /**
   * Calls `handler` with every message published to the topic from now on (your own included).
   * Returns the function that unsubscribes it; the hub is told when the last handler goes.
   *
   * @example
   * const off = client.topic('world').subscribe((data, { from }) => console.log(from, data));
   */
  subscribe(handler: TopicHandler<T>): () => void {
    if (typeof handler !== 'function') throw new TypeError('topic.subscribe(handler): handler must be a function');
    const first = this.handlers.size === 0;
    this.handlers.add(handler);
    if (first) {
      this.everSubscribed = true;
      this.subscribeOnHub();
    }
    return () => {
      if (!this.handlers.delete(handler) || this.handlers.size > 0) return;
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
      this.waiting.clear();
      this.core.notify({ type: 'topic.unsubscribe', topic: this.name });
    };
  }

  /**
   * Publishes `data` to every subscriber. Resolves once the hub accepted it; while offline the message
   * waits in the outbox and is sent once the client reconnects.
   */
  publish(data: T): Promise<void> {
    return this.core.request({ type: 'topic.publish', topic: this.name, data }).then(() => undefined);
  }

  /**
   * On a recoverable topic, `reset` says messages were missed for good: the gap since the last one
   * received was older than the history the hub keeps. Returns the function that stops listening.
   */
  on(event: 'reset', handler: () => void): () => void {
    if (event !== 'reset' || typeof handler !== 'function') throw new TypeError("topic.on('reset', handler): the only event is 'reset'");
    this.resetHandlers.add(handler);
    return () => void this.resetHandlers.delete(handler);
  }

  /** @internal Called on each (re)connection: subscribe again, asking for what was missed. */
  restore(): void {
    if (this.handlers.size > 0) {
      if (this.lastSeq === undefined) {
        if (!this.subscribing) this.subscribeOnHub();
      } else this.core.notify({ type: 'topic.subscribe', topic: this.name, since: this.lastSeq });
    }
    else if (this.everSubscribed) this.core.notify({ type: 'topic.unsubscribe', topic: this.name });
  }

  /** Subscribes with no position yet; on a recoverable topic the hub's answer says where we start. */
  private subscribeOnHub(): void {
    this.subscribing = true;
    // The start is applied as the ack is read: a message that came in the same chunk right after it
    // must find it, or it would start the count itself and a message before it would be dropped.
    this.core.request({ type: 'topic.subscribe', topic: this.name }, (result) => {
      this.subscribing = false;
      const start = (result as { seq?: unknown } | undefined)?.seq;
      if (this.lastSeq === undefined && typeof start === 'number') this.lastSeq = start;
    }).catch((error: unknown) => {
      this.subscribing = false;
      this.core.reportError(error);
    });
  }

  /**
   * @internal The hub could not give us everything since `lastSeq`: what it still has follows, and the
   * first message after this starts the count anew.
   */
  applyReset(): void {
    this.lastSeq = undefined;
    this.emitReset();
  }

  /** @internal */
  deliver(data: T, meta: TopicMeta): void {
    const { seq } = meta;
    if (seq === undefined) return this.emit(data, meta);
    if (this.lastSeq !== undefined && seq <= this.lastSeq) return; // had it (a replay overlaps live messages)
    // No position yet, or subscribed to an empty history (0): this message is where the count starts.
    if (this.lastSeq === undefined || this.lastSeq === 0 || seq === this.lastSeq + 1) {
      this.lastSeq = seq;
      this.emit(data, meta);
      this.drain();
      return;
    }
    this.waiting.set(seq, { data, meta });
    this.gapTimer ??= setTimeout(() => this.askForGap(), GAP_WAIT_MS);
  }

  /** Delivers what waited and now follows on; drops what an overlap made old. */
  private drain(): void {
    if (this.waiting.size === 0) return;
    for (let next = this.waiting.get(this.lastSeq! + 1); next; next = this.waiting.get(this.lastSeq! + 1)) {
      this.waiting.delete(this.lastSeq! + 1);
      this.lastSeq! += 1;
      this.emit(next.data, next.meta);
    }
    for (const seq of this.waiting.keys()) if (seq <= this.lastSeq!) this.waiting.delete(seq);
    this.gapAsks = 0;
    if (this.waiting.size === 0) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
  }

  /**
   * A gap did not fill by itself: ask the hub for what came after the last message delivered. It
   * replays what it keeps (or says `reset`); an answer can also be a stale one, to an ask made on a
   * link that died, so the handle looks again a while after each answer.
   */
  private askForGap(): void {
    this.gapTimer = undefined;
    if (this.waiting.size === 0 || this.handlers.size === 0) return this.waiting.clear();
    // After a reset with nothing kept before these, they are where the count starts.
    if (this.lastSeq === undefined || this.gapAsks >= MAX_GAP_ASKS) return this.skipGap();
    this.gapAsks += 1;
    const again = () => {
      if (this.waiting.size > 0) this.gapTimer ??= setTimeout(() => this.askForGap(), GAP_WAIT_MS);
    };
    this.core.request({ type: 'topic.subscribe', topic: this.name, since: this.lastSeq }).then(again, again);
  }

  /** Goes on from the oldest message waiting; what was before it is not coming, and `reset` says so. */
  private skipGap(): void {
    if (this.lastSeq !== undefined) this.emitReset();
    this.lastSeq = Math.min(...this.waiting.keys()) - 1;
    this.drain();
  }

  private emitReset(): void {
    this.callEach(this.resetHandlers, []);
  }

  private emit(data: T, meta: TopicMeta): void {
    this.callEach(this.handlers, [data, meta]);
  }

  /** Calls every handler (a copy: one may unsubscribe another); a throwing one is reported, not fatal. */
  private callEach<A extends unknown[]>(handlers: Set<(...args: A) => void>, args: A): void {
    for (const handler of [...handlers]) {
      try {
        handler(...args);
      } catch (error) {
        this.core.reportError(error);
      }
    }
  }
}
