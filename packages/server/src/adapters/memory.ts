import type { Adapter, AdapterContext, StreamRange } from './adapter.js';

interface Subscriber {
  nodeId: string;
  onFrame(frame: string): void;
}

interface Claim {
  owner: string;
  expiresAt: number;
}

/**
 * A bus and store shared by several hubs in one process, so they act as a cluster (in tests, or
 * workers that share memory). `partition(nodeId)` cuts a node off the bus until `heal()`.
 */
export interface MemoryBus {
  /** Stop delivering frames to and from this node, as a network partition would. */
  partition(nodeId: string): void;
  /** Undo every partition. */
  heal(): void;
  /** Number of nodes subscribed to a channel (like Redis `PUBSUB NUMSUB`). */
  subscriberCount(channel: string): number;
  /** @internal */
  readonly _subscribe: (channel: string, subscriber: Subscriber) => () => void;
  /** @internal */
  readonly _publish: (channel: string, frame: string, fromNode: string) => void;
  /** @internal Whether a node other than `nodeId` is subscribed to `channel`. */
  readonly _othersOn: (channel: string, nodeId: string) => boolean;
  /** @internal */
  readonly _store: MemoryStore;
}

interface MemoryStream {
  nextSeq: number;
  entries: [number, string][];
  /** When the stream lapses unless appended to again (`Infinity`: never). */
  expiresAt: number;
}

interface MemoryStore {
  claims: Map<string, Claim>;
  streams: Map<string, MemoryStream>;
  /** When idle streams were last swept out; see {@link sweep}. */
  sweptAt: number;
}

/** Creates a bus for {@link memoryAdapter}: hubs given adapters on the same bus form one cluster. */
export function createMemoryBus(): MemoryBus {
  const channels = new Map<string, Set<Subscriber>>();
  const partitioned = new Set<string>();
  const store: MemoryStore = { claims: new Map(), streams: new Map(), sweptAt: 0 };
  return {
    partition: (nodeId) => void partitioned.add(nodeId),
    heal: () => partitioned.clear(),
    subscriberCount: (channel) => channels.get(channel)?.size ?? 0,
    _subscribe(channel, subscriber) {
      let set = channels.get(channel);
      if (!set) channels.set(channel, (set = new Set()));
      set.add(subscriber);
      return () => {
        set.delete(subscriber);
        if (set.size === 0 && channels.get(channel) === set) channels.delete(channel);
      };
    },
    _publish(channel, frame, fromNode) {
      if (partitioned.has(fromNode)) return;
      const set = channels.get(channel);
      if (!set) return;
      for (const subscriber of [...set]) {
        if (partitioned.has(subscriber.nodeId)) continue;
        // Asynchronous like a real network, so no hub can depend on a synchronous echo.
        queueMicrotask(() => subscriber.onFrame(frame));
      }
    },
    _othersOn(channel, nodeId) {
      const set = channels.get(channel);
      if (set) for (const subscriber of set) if (subscriber.nodeId !== nodeId) return true;
      return false;
    },
    _store: store,
  };
}

/** Options of {@link memoryAdapter}. */
export interface MemoryAdapterOptions {
  /** The bus to share with other hubs; a private one by default (a single-node hub). */
  bus?: MemoryBus;
}

/**
 * The default adapter: everything in this process's memory, nothing to install.
 *
 * @example
 * const bus = createMemoryBus();
 * const a = createHub({ adapter: memoryAdapter({ bus }) });
 * const b = createHub({ adapter: memoryAdapter({ bus }) }); // a and b now behave as one
 */
export function memoryAdapter(options: MemoryAdapterOptions = {}): Adapter {
  const bus = options.bus ?? createMemoryBus();
  const unsubscribers = new Map<string, () => void>();
  let nodeId = '';
  const { claims, streams } = bus._store;

  return {
    async start(context: AdapterContext) {
      nodeId = context.nodeId;
    },
    async subscribe(channel, onFrame) {
      if (unsubscribers.has(channel)) return;
      unsubscribers.set(channel, bus._subscribe(channel, { nodeId, onFrame }));
    },
    async unsubscribe(channel) {
      unsubscribers.get(channel)?.();
      unsubscribers.delete(channel);
    },
    async publish(channel, frame) {
      bus._publish(channel, frame, nodeId);
    },
    // Exact: a frame reaches only the subscribers present when it is published (see `_publish`).
    othersListening: (channel) => bus._othersOn(channel, nodeId),
    async claim(key, owner, ttlMs) {
      const now = Date.now();
      const held = claims.get(key);
      if (held && held.owner !== owner && held.expiresAt > now) return false;
      claims.set(key, { owner, expiresAt: now + ttlMs });
      return true;
    },
    async release(key, owner) {
      if (claims.get(key)?.owner === owner) claims.delete(key);
    },
    async append(stream, entry, maxLen, ttlMs = Infinity) {
      const now = Date.now();
      sweep(bus._store, now);
      let s = live(streams, stream, now);
      if (!s) streams.set(stream, (s = { nextSeq: freshSeq(), entries: [], expiresAt: Infinity }));
      s.expiresAt = ttlMs > 0 && Number.isFinite(ttlMs) ? now + ttlMs : Infinity;
      const seq = s.nextSeq++;
      s.entries.push([seq, entry]);
      if (s.entries.length > maxLen) s.entries.splice(0, s.entries.length - maxLen);
      return seq;
    },
    async range(stream, afterSeq, limit): Promise<StreamRange> {
      const s = live(streams, stream, Date.now());
      if (!s || s.entries.length === 0) return { entries: [], oldestSeq: s ? s.nextSeq : 1, lastSeq: s ? s.nextSeq - 1 : 0 };
      const entries = s.entries.filter(([seq]) => seq > afterSeq).slice(0, limit);
      return { entries, oldestSeq: s.entries[0]![0], lastSeq: s.nextSeq - 1 };
    },
    async close() {
      for (const off of unsubscribers.values()) off();
      unsubscribers.clear();
    },
  };
}

/**
 * Where a new stream starts numbering: now, in microseconds. A hub restarted on the memory adapter has
 * lost its histories; its new numbers are above the old ones, so a returning client's position reads
 * as a gap (a `reset`), never as a place in the new history.
 */
function freshSeq(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** The stream, unless it has lapsed (then it is dropped, as Redis drops an expired key). */
function live(streams: Map<string, MemoryStream>, name: string, now: number): MemoryStream | undefined {
  const s = streams.get(name);
  if (s && s.expiresAt <= now) {
    streams.delete(name);
    return undefined;
  }
  return s;
}

/** How often appends sweep lapsed streams out, so streams nobody touches again do not stay in memory. */
const SWEEP_EVERY_MS = 1000;

// Lapsed streams are dropped when touched (see `live`); the ones never touched again are swept here,
// at most once a second and only on an append, so an idle process does no work and memory stays
// bounded by the streams used within their TTL.
function sweep(store: MemoryStore, now: number): void {
  if (now - store.sweptAt < SWEEP_EVERY_MS) return;
  store.sweptAt = now;
  for (const [name, s] of store.streams) if (s.expiresAt <= now) store.streams.delete(name);
}
