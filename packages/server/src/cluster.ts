import { z } from 'zod';
import { leaveReasonSchema } from '@ghost/protocol';
import type { Adapter } from './adapters/adapter.js';
import type { HubMetrics } from './metrics.js';
import { toError } from './to-error.js';

// Frames between hub nodes. `frame` is the client frame already encoded by the origin node, so a
// message is serialised once for the whole cluster and each node sends the same text to its clients.
// `at`: when the sender's connection tracked that state (its clock): with presence keyed by user, one
// member can have a share on several nodes, and the newest shows.
const fragments = z.object({ id: z.string(), head: z.string(), state: z.string(), at: z.number().optional() });
const leave = z.object({ id: z.string(), reason: leaveReasonSchema });

const envelopeSchema = z.discriminatedUnion('kind', [
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('topic'), topic: z.string(), frame: z.string(), seq: z.number().optional() }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('chat'), room: z.string(), frame: z.string() }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('broadcast'), frame: z.string() }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('direct'), target: z.string(), frame: z.string() }),
  // Presence (features/presence.ts), all on the room's channel: a node sends one tick of changes to its
  // own shares of members per room, only while another node has watchers there. `seq` counts a node's `presence`
  // envelopes per room, so a receiver that missed one can tell and ask again.
  z.object({
    v: z.literal(1), node: z.string(), kind: z.literal('presence'), room: z.string(), seq: z.number(),
    joins: z.array(fragments).optional(), updates: z.array(z.object({ id: z.string(), state: z.string(), at: z.number().optional() })).optional(),
    leaves: z.array(leave).optional(),
  }),
  // Whether the sender has watchers in the room. `hello`: it just took the room up (or is back after an
  // outage) and knows nothing: nodes that watch say so, and if it watches, nodes with members send them.
  z.object({
    v: z.literal(1), node: z.string(), kind: z.literal('presence.interest'), room: z.string(), watching: z.boolean(),
    hello: z.literal(true).optional(), target: z.string().optional(),
  }),
  // A node that missed envelopes asks the target for its full list again.
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('presence.sync'), room: z.string(), target: z.string() }),
  // The sender's whole list of members in the room as of its envelope `seq`, for the target; `watching`
  // answers a hello from a node that cannot know the sender has watchers.
  z.object({
    v: z.literal(1), node: z.string(), kind: z.literal('presence.members'), room: z.string(), seq: z.number(),
    members: z.array(fragments), target: z.string(), watching: z.literal(true).optional(),
  }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('heartbeat') }),
  // Operations API (ops/cluster-ops.ts): a query to every node on `all`, each answer on the asker's channel.
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('ops.request'), id: z.string(), query: z.unknown() }),
  z.object({ v: z.literal(1), node: z.string(), kind: z.literal('ops.reply'), id: z.string(), result: z.unknown() }),
]);

/** Failed publishes are reported at most once in this many ms (an outage or a failover is one report). */
const PUBLISH_REPORT_MS = 10_000;

/** A frame between hub nodes. */
export type Envelope = z.infer<typeof envelopeSchema>;
type EnvelopeBody = Envelope extends infer E ? (E extends Envelope ? Omit<E, 'v' | 'node'> : never) : never;

/**
 * Channel names; one prefix so several apps can share a Redis. A channel that carries one room's or one
 * topic's traffic has the name in a Redis Cluster hash tag (`ghost:chat:{lobby}`), like the store keys
 * of that room (`chat:{lobby}:history`), so on a cluster they all live on one slot and the Redis adapter
 * puts the channel on sharded pub/sub. Names cannot hold braces (`isValidName`), so the tag is exactly
 * the name. `all` has no tag: it is the one cluster-wide channel (heartbeats, broadcasts, ops queries).
 */
export const channels = {
  all: (prefix: string) => `${prefix}:all`,
  topic: (prefix: string, topic: string) => `${prefix}:topic:{${topic}}`,
  chat: (prefix: string, room: string) => `${prefix}:chat:{${room}}`,
  presence: (prefix: string, room: string) => `${prefix}:presence:{${room}}`,
  // A node's answers (presence lists for one room, ops replies) arrive here: per-node, so sharded too.
  node: (prefix: string, nodeId: string) => `${prefix}:node:{${nodeId}}`,
};

/**
 * The hub's side of the bus: envelopes in and out, the node's own echoes and garbage dropped (and
 * counted), faults reported instead of thrown.
 */
export class Cluster {
  /** Envelopes from the bus that failed to decode. */
  dropped = 0;
  /** When each other node was last heard from, by node id. */
  private readonly lastHeard = new Map<string, number>();
  private liveness: NodeJS.Timeout | undefined;
  private nodeEvents: { up(node: string): void; down(node: string): void } | undefined;
  /** Channels this node is subscribed to through `sync`. */
  private readonly synced = new Set<string>();
  /**
   * Channels whose unsubscribe failed. The adapter may have let them go all the same (the Redis one
   * drops its handler first, and ioredis sends a timed-out UNSUBSCRIBE once the link is back), so one
   * wanted again is subscribed anew rather than taken as still heard.
   */
  private readonly unsure = new Set<string>();
  /** Per channel, the `sync` step in progress: they run one after another, never interleaved. */
  private readonly syncQueue = new Map<string, Promise<void>>();

  /** When a failed publish was last reported (ms since the epoch). */
  private publishReportedAt = -Infinity;

  /** How every envelope this node publishes begins (`publish` writes `v` and `node` first). */
  private readonly ownPrefix: string;

  constructor(
    private readonly adapter: Adapter,
    readonly nodeId: string,
    readonly prefix: string,
    private readonly onError: (error: Error) => void,
    private readonly metrics?: HubMetrics,
  ) {
    this.ownPrefix = `{"v":1,"node":${JSON.stringify(nodeId)},`;
  }

  async watch(channel: string, onEnvelope: (envelope: Envelope) => void): Promise<void> {
    await this.adapter.subscribe(channel, (raw) => {
      // This node's own frames come back on every channel it publishes to: skip them before parsing.
      if (raw.startsWith(this.ownPrefix)) return;
      const envelope = this.decode(raw);
      if (!envelope || envelope.node === this.nodeId) return;
      this.heard(envelope.node);
      if (envelope.kind !== 'heartbeat') onEnvelope(envelope);
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
      if (want && (!this.synced.has(channel) || this.unsure.has(channel))) {
        await this.watch(channel, onEnvelope);
        this.synced.add(channel);
        this.unsure.delete(channel);
      } else if (!want && this.synced.has(channel)) {
        try {
          await this.unwatch(channel);
        } catch (error) {
          this.unsure.add(channel); // it stays marked, so the next sync tries again
          throw error;
        }
        this.synced.delete(channel);
        this.unsure.delete(channel);
      }
    });
    const settled = step.catch(() => undefined);
    this.syncQueue.set(channel, settled);
    void settled.then(() => {
      if (this.syncQueue.get(channel) === settled) this.syncQueue.delete(channel);
    });
    return step;
  }

  /**
   * Publishes to other nodes, unless the adapter knows none listens on `channel`; a failure is reported,
   * never thrown, since local delivery already happened.
   * Every failure is counted in the metrics, but reported at most once in 10 s: a
   * hub publishing 20 times a second through a 4-second failover reports once, not 80 times (and
   * publishes to healthy shards in between do not make it report again).
   */
  async publish(channel: string, body: EnvelopeBody): Promise<void> {
    // A hub alone on its bus (the default memory adapter) would encode envelopes that nobody reads.
    if (this.adapter.othersListening?.(channel) === false) return;
    try {
      await this.adapter.publish(channel, JSON.stringify({ v: 1, node: this.nodeId, ...body }));
    } catch (error) {
      this.publishLost(1, toError(error));
    }
  }

  /** Counts publishes to other nodes that failed, and reports the first in 10 s (see `publish`). */
  publishLost(count: number, cause: Error): void {
    if (this.metrics) this.metrics.busPublishFailures += count;
    const now = Date.now();
    if (now - this.publishReportedAt < PUBLISH_REPORT_MS) return;
    this.publishReportedAt = now;
    this.onError(new Error(`Publishing to the other nodes failed: ${cause.message}. Local clients still get every message; ` +
      `further failures in the next ${PUBLISH_REPORT_MS / 1000} s are counted (busPublishFailures), not reported.`, { cause }));
  }

  /** When each other node was last heard from (ms since the epoch), by node id: the nodes this one believes alive. */
  get nodes(): ReadonlyMap<string, number> {
    return this.lastHeard;
  }

  /**
   * Says this node is alive every `heartbeatMs` on the `all` channel, and reports other nodes as up
   * when first heard (again) and as down when silent for `timeoutMs`.
   */
  startLiveness(heartbeatMs: number, timeoutMs: number, events: { up(node: string): void; down(node: string): void }): void {
    this.nodeEvents = events;
    const beat = () => {
      void this.publish(channels.all(this.prefix), { kind: 'heartbeat' });
      const deadline = Date.now() - timeoutMs;
      for (const [node, at] of this.lastHeard) {
        if (at >= deadline) continue;
        this.lastHeard.delete(node);
        events.down(node);
      }
    };
    this.liveness = setInterval(beat, heartbeatMs).unref();
    beat();
  }

  stopLiveness(): void {
    clearInterval(this.liveness);
  }

  private heard(node: string): void {
    const known = this.lastHeard.has(node);
    this.lastHeard.set(node, Date.now());
    if (!known) this.nodeEvents?.up(node);
  }

  private decode(raw: string): Envelope | undefined {
    try {
      const result = envelopeSchema.safeParse(JSON.parse(raw));
      if (result.success) return result.data;
    } catch {
      // fall through: counted below
    }
    this.dropped += 1;
    // Reported, not thrown; the first and then one in a thousand, so a misconfigured neighbour on the
    // same channels (another app with the same prefix) is seen without flooding the log.
    if (this.dropped % 1000 === 1) {
      this.onError(new Error(`Dropped ${this.dropped} unreadable frame(s) from the bus: is another app using the same channel prefix? First bytes: ${raw.slice(0, 80)}`));
    }
    return undefined;
  }
}
