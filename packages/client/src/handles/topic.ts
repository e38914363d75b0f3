import type { ClientCore } from '../core.js';

/** What a topic subscriber learns besides the data. */
export interface TopicMeta {
  /** The topic the message was published to. */
  topic: string;
  /** The publisher's connection id, or `null` when the server published it (`hub.publish`). */
  from: string | null;
  /** When the hub accepted it, in milliseconds since the epoch. */
  ts: number;
}

/** Receives a topic's messages. */
export type TopicHandler<T> = (data: T, meta: TopicMeta) => void;

/**
 * A topic: publish to it, subscribe to it. Get one with `client.topic(name)`; the same name always
 * gives the same handle.
 */
export class TopicHandle<T = unknown> {
  private readonly handlers = new Set<TopicHandler<T>>();
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

  /** @internal Called on each (re)connection. */
  restore(): void {
    if (this.handlers.size > 0) this.core.notify({ type: 'topic.subscribe', topic: this.name });
    else if (this.everSubscribed) this.core.notify({ type: 'topic.unsubscribe', topic: this.name });
  }

  /** @internal */
  deliver(data: T, meta: TopicMeta): void {
    for (const handler of [...this.handlers]) {
      try {
        handler(data, meta);
      } catch (error) {
        this.core.reportError(error);
      }
    }
  }
}
