/** What an adapter is told when the hub starts it. */
export interface AdapterContext {
  /** This hub node's id; frames a node publishes carry it so the node can ignore its own echoes. */
  nodeId: string;
  /** Called for faults the adapter recovers from by itself (a lost Redis link); the hub reports them. */
  onError(error: Error): void;
  /**
   * Called when the bus is back after an outage, once its subscriptions are restored: frames sent
   * meanwhile were lost, so the hub asks the other nodes for their presence again.
   */
  onReconnect?(): void;
  /**
   * Called when publishes whose `publish` had already resolved turn out lost: an adapter that writes a
   * publish and reads its answer later (the Redis one on a single Redis) learns of a refusal or a
   * timeout only then. The hub counts them with the publishes that rejected.
   */
  onPublishLost?(count: number, error: Error): void;
}

/** One stream's entries after a sequence number, and the oldest sequence the stream still holds. */
export interface StreamRange {
  /** The entries after the asked sequence, oldest first, each with its sequence number. */
  entries: [seq: number, entry: string][];
  /** The oldest sequence still held; `lastSeq + 1` when the stream holds nothing. */
  oldestSeq: number;
  /** The newest sequence ever given out (0 for a stream never appended to). */
  lastSeq: number;
}

/**
 * How hub nodes reach each other: a bus that moves frames between nodes, and a small store for what
 * pub/sub alone cannot do (exclusive claims, ordered history). All the rules (rooms, presence, chat)
 * live in the hub, so an adapter only moves and keeps bytes.
 */
export interface Adapter {
  /** Connects (for Redis: both links) before the hub uses the adapter; rejects if it cannot. */
  start(context: AdapterContext): Promise<void>;
  /** Receive every frame published on `channel` by any node (this one included). */
  subscribe(channel: string, onFrame: (frame: string) => void): Promise<void>;
  /** Stop receiving `channel`. */
  unsubscribe(channel: string): Promise<void>;
  /** Send `frame` to every node subscribed to `channel`, this one included. */
  publish(channel: string, frame: string): Promise<void>;
  /**
   * Whether a frame published on `channel` now could reach another node. Optional: an adapter that
   * cannot know for certain leaves it out, and the hub always publishes. On `false` the hub skips the
   * publish and the work of encoding it, so it must be exact: never `false` while another node is
   * subscribed to `channel` (the memory adapter knows its bus's subscribers; Redis's are not known
   * without a round trip, and a node not heard from yet may already listen).
   */
  othersListening?(channel: string): boolean;
  /** Atomically take `key` for `owner` for `ttlMs`; the same owner refreshes it. Resolves false when another owner holds it. */
  claim(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Give `key` up, only if `owner` holds it. */
  release(key: string, owner: string): Promise<void>;
  /**
   * Add an entry to a stream capped at `maxLen` entries; resolves with its sequence number. Numbers are
   * consecutive within the stream's life (n, n + 1, …, kept across trimming); a stream created anew (its
   * first append, or after the store lost it) starts above any number an earlier incarnation gave out
   * (the built-in adapters start at the current time in microseconds).
   *
   * `ttlMs` is the stream's idle lifetime: each append sets it anew, and a stream nobody appended to
   * for that long is gone (then read as empty, and numbered anew by its next append). Reads do not
   * renew it. Omitted, or `Infinity`, the stream never expires.
   */
  append(stream: string, entry: string, maxLen: number, ttlMs?: number): Promise<number>;
  /** Entries with a sequence above `afterSeq`, oldest first, at most `limit`; an expired stream reads as empty. */
  range(stream: string, afterSeq: number, limit: number): Promise<StreamRange>;
  /** Lets go of every connection and subscription (the hub is closing). */
  close(): Promise<void>;
}
