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

/**
 * A topic: publish to it, subscribe to it. Get one with `client.topic(name)`; the same name always
 * gives the same handle.
 */
export class TopicHandle<T = unknown> {
  private readonly handlers = new Set<TopicHandler<T>>();
  private readonly resetHandlers = new Set<() => void>();
  // Recoverable topics: what arrived, by sequence, so a replay or a late duplicate is dropped, and the
  // newest, to ask for what came after it on reconnect.
  private readonly seen = new Set<number>();
  private lastSeq: number | undefined;
  // Whether the hub may hold a subscription for us, so a reconnect can also take back one it keeps.
  private everSubscribed = false;

  /** @internal */
  constructor(private readonly core: ClientCore, readonly name: string) {}

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
      this.core.notify({ type: 'topic.subscribe', topic: this.name });
    }
    return () => {
      if (!this.handlers.delete(handler) || this.handlers.size > 0) return;
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
      this.core.notify(this.lastSeq === undefined
        ? { type: 'topic.subscribe', topic: this.name }
        : { type: 'topic.subscribe', topic: this.name, since: this.lastSeq });
    }
    else if (this.everSubscribed) this.core.notify({ type: 'topic.unsubscribe', topic: this.name });
  }

  /** @internal The hub could not give us everything since `lastSeq`. */
  applyReset(): void {
    this.seen.clear();
    this.lastSeq = undefined;
    for (const handler of [...this.resetHandlers]) {
      try {
        handler();
      } catch (error) {
        this.core.reportError(error);
      }
    }
  }

  /** @internal */
  deliver(data: T, meta: TopicMeta): void {
    const { seq } = meta;
    if (seq !== undefined) {
      if (this.seen.has(seq)) return;
      this.seen.add(seq);
      if (this.seen.size > 4096) this.seen.delete(this.seen.values().next().value!);
      this.lastSeq = Math.max(this.lastSeq ?? 0, seq);
    }
    for (const handler of [...this.handlers]) {
      try {
        handler(data, meta);
      } catch (error) {
        this.core.reportError(error);
      }
    }
  }
}
