import { z } from 'zod';
import type { Adapter } from './adapters/adapter.js';

// Frames between hub nodes. `frame` is the client frame already encoded by the origin node, so a
// message is serialised once for the whole cluster and each node sends the same text to its clients.
const envelopeSchema = z.discriminatedUnion('kind', [
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('topic'), topic: z.string(), frame: z.string() }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('chat'), room: z.string(), frame: z.string() }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('broadcast'), frame: z.string() }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('direct'), target: z.string(), frame: z.string() }),
]);

/** A frame between hub nodes. */
export type Envelope = z.infer<typeof envelopeSchema>;
type EnvelopeBody = Envelope extends infer E ? (E extends Envelope ? Omit<E, 'v' | 'node'> : never) : never;

/** Channel names; one prefix so several apps can share a Redis. */
export const channels = {
  all: (prefix: string) => `${prefix}:all`,
  topic: (prefix: string, topic: string) => `${prefix}:topic:${topic}`,
  chat: (prefix: string, room: string) => `${prefix}:chat:${room}`,
};

/**
 * The hub's side of the bus: envelopes in and out, the node's own echoes and garbage dropped (and
 * counted), faults reported instead of thrown.
 */
export class Cluster {
  /** Envelopes from the bus that failed to decode. */
  dropped = 0;
  /** Channels this node is subscribed to through `sync`. */
  private readonly synced = new Set<string>();
  /** Per channel, the `sync` step in progress: they run one after another, never interleaved. */
  private readonly syncQueue = new Map<string, Promise<void>>();

  constructor(
    private readonly adapter: Adapter,
    readonly nodeId: string,
    readonly prefix: string,
    private readonly onError: (error: Error) => void,
  ) {}

  async watch(channel: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    await this.adapter.subscribe(channel, (raw) => {
      const envelope = this.decode(raw);
      if (envelope && envelope.node !== this.nodeId) onEnvelope(envelope);
    });
  }

  async unwatch(channel: string): Promise<void> {
    await this.adapter.unsubscribe(channel);
  }

  /**
   * Brings this node's subscription to `channel` in line with `wanted()` (whether anyone here needs
   * it). Steps are queued per channel and each re-reads the wish, so a subscribe and an unsubscribe
   * racing each other leave neither an orphan channel nor a member who hears nothing from other nodes.
   */
  sync(channel: string, wanted: () => boolean, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    const step = (this.syncQueue.get(channel) ?? Promise.resolve()).then(async () => {
      const want = wanted();
      if (want && !this.synced.has(channel)) {
        await this.watch(channel, onEnvelope);
        this.synced.add(channel);
      } else if (!want && this.synced.has(channel)) {
        await this.unwatch(channel); // on failure it stays marked, so the next sync tries again
        this.synced.delete(channel);
      }
    });
    const settled = step.catch(() => undefined);
    this.syncQueue.set(channel, settled);
    void settled.then(() => {
      if (this.syncQueue.get(channel) === settled) this.syncQueue.delete(channel);
    });
    return step;
  }

  /** Publishes to other nodes; a failure is reported, never thrown, since local delivery already happened. */
  async publish(channel: string, body: EnvelopeBody): Promise<void> {
    try {
      await this.adapter.publish(channel, JSON.stringify({ v: 1, node: this.nodeId, ...body }));
    } catch (error) {
      this.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private decode(raw: string): Envelope | undefined {
    try {
      const result = envelopeSchema.safeParse(JSON.parse(raw));
      if (result.success) return result.data;
    } catch {
      // fall through: counted below
    }
    this.dropped += 1;
    return undefined;
  }
}
