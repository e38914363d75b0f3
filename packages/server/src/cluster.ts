import { z } from 'zod';
import type { Adapter } from './adapters/adapter.js';

// Frames between hub nodes. `frame` is the client frame already encoded by the origin node, so a
// message is serialised once for the whole cluster and each node sends the same text to its clients.
const envelopeSchema = z.discriminatedUnion('kind', [
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('topic'), topic: z.string(), frame: z.string() }),
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
};

/**
 * The hub's side of the bus: envelopes in and out, the node's own echoes and garbage dropped (and
 * counted), faults reported instead of thrown.
 */
export class Cluster {
  /** Envelopes from the bus that failed to decode. */
  dropped = 0;

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
