import { ErrorCode, GhostError, encode } from '@ghost/protocol';
import type { Connection } from '../connection.js';
import { channels, type Cluster } from '../cluster.js';

/** Topic subscriptions of this node's connections, and delivery to them. */
export class Topics {
  private readonly subscribers = new Map<string, Set<Connection>>();

  constructor(private readonly cluster: Cluster, private readonly maxTopics: number) {}

  /** Number of topics with at least one local subscriber. */
  get size(): number {
    return this.subscribers.size;
  }

  async subscribe(connection: Connection, topic: string): Promise<void> {
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

  async unsubscribe(connection: Connection, topic: string): Promise<void> {
    if (this.remove(connection, topic)) await this.syncBus(topic);
  }

  /** Delivers to local subscribers at once, then to other nodes; `from` is a connection id or null for the server. */
  async publish(topic: string, data: unknown, from: string | null): Promise<void> {
    const frame = encode({ type: 'topic.message', topic, data, from, ts: Date.now() });
    this.deliver(topic, frame);
    await this.cluster.publish(channels.topic(this.cluster.prefix, topic), { kind: 'topic', topic, frame });
  }

  /** Forgets every subscription of a connection that ended. */
  async drop(connection: Connection): Promise<void> {
    await Promise.all([...connection.topics].map((topic) => this.unsubscribe(connection, topic)));
  }

  /** Removes one subscription locally; true when it was the topic's last one here. */
  private remove(connection: Connection, topic: string): boolean {
    if (!connection.topics.delete(topic)) return false;
    const set = this.subscribers.get(topic);
    if (!set) return false;
    set.delete(connection);
    if (set.size > 0) return false;
    this.subscribers.delete(topic);
    return true;
  }

  private syncBus(topic: string): Promise<void> {
    return this.cluster.sync(channels.topic(this.cluster.prefix, topic), () => this.subscribers.has(topic), (envelope) => {
      if (envelope.kind === 'topic') this.deliver(envelope.topic, envelope.frame);
    });
  }

  private deliver(topic: string, frame: string): void {
    const set = this.subscribers.get(topic);
    if (!set) return;
    for (const connection of set) connection.send(frame, { buffer: true });
  }
}
