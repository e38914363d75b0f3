import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import type { Adapter, AdapterContext, StreamRange } from './adapter.js';
import { clusterFromUrls, clusterSubscriber, hashTag, isRedisUrl, watchCluster } from './redis-cluster.js';
import { append, claim, range, release, seqOf, type RedisClient } from './redis-scripts.js';
import { RedisPublisher } from './redis-publisher.js';
import { WatchedRedis } from './redis-watchdog.js';
import { createId } from '../ids.js';
import { toError } from '../to-error.js';

/** Options of {@link redisAdapter}. Give one of `url`, `cluster` or `client`. */
export interface RedisAdapterOptions {
  /** Where a single Redis listens: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url?: string;
  /**
   * Seed nodes of a Redis Cluster (7.0 or newer), e.g. `['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']`:
   * a few are enough, the others are discovered. A password (`redis://:secret@host:port`), a user name
   * and TLS (`rediss://`) given in the URLs apply to every node. Room, topic and chat channels then use
   * sharded pub/sub, so each message reaches only the shard that owns its room's slot.
   */
  cluster?: string[];
  /**
   * Passed to ioredis's `Cluster` with `cluster`, for what seed URLs cannot say: `redisOptions` (TLS
   * certificates, `connectTimeout`; it overrides what the URLs set), `natMap`, `dnsLookup`,
   * `scaleReads`… The adapter always connects lazily and adds its own subscriber connections.
   */
  clusterOptions?: ClusterOptions;
  /**
   * An ioredis client to send commands through, for options `url` cannot say (TLS certificates,
   * Sentinel, timeouts): a `Redis`, or a `Cluster` for a Redis Cluster. The adapter duplicates it for its
   * subscriber connections (on a cluster: one per master, with `shardedSubscribers`) and leaves the
   * client itself open on `close()`: whoever made it closes it.
   */
  client?: Redis | Cluster;
  /**
   * Starts every key and channel the adapter writes, so several apps can share one Redis. A channel
   * that already starts with it (the hub names its channels `ghost:…`) is used as it is. No braces:
   * they would make every name one Redis Cluster hash tag.
   * @default 'ghost:'
   */
  prefix?: string;
}

const DEFAULTS = {
  prefix: 'ghost:',
  // Commands wait through a short blip (a restart: ~4 tries, about 1 s) and then fail, so a chat send
  // during an outage gets an answer instead of hanging. Subscriber commands are not retried by count
  // (ioredis re-subscribes by itself after a reconnect); on a single Redis each still fails after the
  // command timeout, so a client's subscribe during an outage is answered (`INTERNAL`, try again).
  commandRetries: 3,
  // Retries alone do not bound a link that accepts and drops, or swallows bytes: no command may
  // wait longer than this for its answer (a hub.publish or a chat send during such an outage fails
  // after it, and local delivery has happened anyway). On a cluster it bounds each try of a command
  // while a failover is under way, the way retries bound it on a single Redis.
  commandTimeoutMs: 1500,
  // Stream entries are stored as one field named like this.
  field: 'e',
};

// On a Redis Cluster, locality comes from the names: the hub puts the room or topic in a hash tag
// (`ghost:chat:{lobby}`, `ghost:chat:{lobby}:history`, `ghost:chat:{lobby}:name:ada`; Redis hashes only
// the text between the first `{` and the next `}`), so a room's channel, claims and history share one
// slot. A channel with a hash tag goes on sharded pub/sub (SSUBSCRIBE / SPUBLISH): only the shard that
// owns the slot handles it, and ioredis holds one subscriber connection per master, whatever the
// number of channels. A channel without one (`ghost:all`: heartbeats, broadcasts) stays on plain
// pub/sub, which every shard relays; its traffic grows with nodes, not with clients or rooms. Every
// script touches one key, so it runs on that key's shard unchanged. On a single Redis nothing of this
// matters: braces are ordinary characters and everything goes on plain pub/sub, as it always did.

/**
 * The adapter for hubs on several machines: the bus is Redis pub/sub (one channel per room or topic,
 * never patterns; sharded pub/sub on a Redis Cluster), claims are `SET NX PX` keys, histories are
 * capped streams. Needs Redis 7 or newer and the `ioredis` package (an optional peer dependency of
 * `@ghost/server`).
 *
 * @example
 * import { createHub } from '@ghost/server';
 * import { redisAdapter } from '@ghost/server/redis';
 *
 * const hub = createHub({ adapter: redisAdapter({ url: process.env.REDIS_URL }) });
 * // or, on a Redis Cluster:
 * const sharded = createHub({ adapter: redisAdapter({ cluster: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'] }) });
 */
export function redisAdapter(options: RedisAdapterOptions): Adapter {
  const { url, cluster, client } = checkOptions(options);
  const prefix = options.prefix ?? DEFAULTS.prefix;
  const commandDefaults = { maxRetriesPerRequest: DEFAULTS.commandRetries, commandTimeout: DEFAULTS.commandTimeoutMs };
  // On a single Redis the command link bounds its commands with one timer for all (redis-watchdog.ts),
  // not one per PUBLISH; the subscriber link sends few commands and keeps ioredis's own timeout.
  const commands: RedisClient = client
    ?? (cluster
      ? clusterFromUrls(cluster, options.clusterOptions ?? {}, commandDefaults)
      : new WatchedRedis(url!, DEFAULTS.commandTimeoutMs, { lazyConnect: true, maxRetriesPerRequest: DEFAULTS.commandRetries }));
  const sharded = commands instanceof Cluster || (commands as { isCluster?: boolean }).isCluster === true;
  const where = describe(url, cluster, commands);
  const subscriber: RedisClient = sharded
    ? clusterSubscriber(commands as Cluster)
    : (commands as Redis).duplicate({ lazyConnect: true, maxRetriesPerRequest: null, ...(client ? {} : { commandTimeout: DEFAULTS.commandTimeoutMs }) });
  const handlers = new Map<string, (frame: string) => void>();
  const detachers: (() => void)[] = [];
  let report: (error: Error) => void = () => undefined;
  let reconnected: () => void = () => undefined;
  let publishLost: (count: number, error: Error) => void = () => undefined;
  let closing: Promise<void> | undefined;
  let closed = false;
  // On a single Redis given by url, PUBLISHes go through a link of their own that does not wait for
  // their answers (redis-publisher.ts); through a cluster or an app's client they stay on ioredis.
  // Publishes it lost count as failed ones; once it takes them again, the hub says again what may be lost.
  const publisher = url !== undefined
    ? new RedisPublisher(url, DEFAULTS.commandTimeoutMs, { lost: (count, error) => publishLost(count, error), recovered: () => reconnected() })
    : undefined;

  const key = (name: string) => prefix + name;
  const channelOf = (name: string) => (name.startsWith(prefix) ? name : prefix + name);
  const shardedChannel = (name: string) => sharded && hashTag(name) !== undefined;

  // One report per outage, not one per connection and reconnect attempt. A crashed Redis shows first as
  // a 'close' (the refused reconnects come after), so a lost link is reported even if it heals at once.
  const down = new Set<Redis | RedisPublisher>();
  function watch(redis: Redis | RedisPublisher, role: string): void {
    const lost = (what: string, cause?: Error) => {
      if (down.has(redis) || closed) return;
      down.add(redis);
      if (down.size > 1) return; // the other connection already told
      report(new Error(`redisAdapter: ${role} connection to ${where} ${what}. ` +
        'It reconnects by itself; if this lasts, start Redis there or fix the url.', { cause }));
    };
    const onError = (error: Error) => lost(`failed: ${error.message}`, error);
    const onClose = () => lost('was lost');
    const onReady = () => {
      if (!down.delete(redis) || redis !== subscriber) return;
      // ioredis re-sends the subscriptions when ready; a PING queued behind them answers once they hold.
      subscriber.ping().then(() => reconnected(), () => undefined);
    };
    redis.on('error', onError).on('close', onClose).on('ready', onReady);
    detachers.push(() => void redis.off('error', onError).off('close', onClose).off('ready', onReady));
  }

  // The same, for a cluster: a failover floods events until the replica is promoted; one report each.
  function watchShards(): void {
    const quiet = () => undefined; // reported through watchCluster; without a listener ioredis logs each
    commands.on('error', quiet);
    detachers.push(() => void commands.off('error', quiet));
    detachers.push(watchCluster(commands as Cluster, subscriber as Cluster, {
      onDown: (what, cause) => {
        if (closed) return;
        report(new Error(`redisAdapter: Redis Cluster at ${where}: ${what}. ` +
          'It fails over to a replica and re-subscribes by itself; if this lasts, check that every master has a replica.', { cause }));
      },
      onUp: () => {
        if (!closed) reconnected();
      },
    }));
  }

  const onMessage = (channel: string, frame: string) => {
    const handler = handlers.get(channel);
    if (!handler) return;
    try {
      handler(frame);
    } catch (error) {
      report(toError(error));
    }
  };

  return {
    async start(context: AdapterContext) {
      report = context.onError;
      reconnected = () => context.onReconnect?.();
      publishLost = (count, error) => context.onPublishLost?.(count, error);
      if (sharded) watchShards();
      else {
        watch(commands as Redis, 'command');
        watch(subscriber as Redis, 'subscriber');
        if (publisher) {
          watch(publisher, 'publishing');
          publisher.connect();
        }
      }
      subscriber.on('message', onMessage);
      subscriber.on('smessage', onMessage);
      // A Redis that is down at start is reported (by `watch`), not thrown: ioredis keeps trying,
      // commands wait in its queue, and the hub works locally meanwhile.
      await Promise.all([ready(commands), ready(subscriber)]).catch(() => undefined);
    },

    async subscribe(channel, onFrame) {
      const name = channelOf(channel);
      if (handlers.has(name)) return;
      handlers.set(name, onFrame);
      try {
        // ioredis remembers the channel and subscribes again by itself after a reconnect, a failover or
        // a slot move (on a cluster, on whichever master owns the slot then).
        if (shardedChannel(name)) await subscriber.ssubscribe(name);
        else await subscriber.subscribe(name);
      } catch (error) {
        if (handlers.get(name) === onFrame) handlers.delete(name);
        throw error;
      }
    },

    async unsubscribe(channel) {
      const name = channelOf(channel);
      if (!handlers.delete(name)) return;
      if (shardedChannel(name)) await subscriber.sunsubscribe(name);
      else await subscriber.unsubscribe(name);
    },

    async publish(channel, frame) {
      const name = channelOf(channel);
      if (publisher) publisher.publish(name, frame);
      else if (shardedChannel(name)) await commands.spublish(name, frame);
      else await commands.publish(name, frame);
    },

    async claim(name, owner, ttlMs) {
      return (await claim(commands, key(name), owner, whole(ttlMs, 1, Math.ceil))) === 1;
    },

    async release(name, owner) {
      await release(commands, key(name), owner);
    },

    async append(stream, entry, maxLen, ttlMs = Infinity) {
      // Ids of millisecond 0 (`0-N`): the stream itself gives out N atomically, gap-free across nodes;
      // no counter key to drift apart from it.
      const cap = Number.isFinite(maxLen) ? whole(maxLen, 0, Math.ceil) : ''; // like memory: no number, no cap
      const ttl = ttlMs > 0 && Number.isFinite(ttlMs) ? whole(ttlMs, 1, Math.ceil) : ''; // like memory: 0 or Infinity, no expiry
      // A token of this call: sent again after a reconnect, it is found in the stream, not appended twice.
      const id = await append(commands, key(stream), cap, DEFAULTS.field, entry, ttl, createId()).catch((error: unknown) => {
        throw /Invalid stream ID/i.test(String(error)) ? new Error('redisAdapter needs Redis 7.0 or newer (XADD with an id of 0-*)', { cause: error }) : error;
      });
      return seqOf(id);
    },

    async range(stream, afterSeq, limit): Promise<StreamRange> {
      const reply = (await range(commands, key(stream), whole(afterSeq, 0, Math.floor), whole(Math.min(limit, 2 ** 31), 0, Math.floor))) as
        [kind: 'first' | 'last', id: string, entries: [id: string, fields: string[]][], last: string];
      const [kind, id, raw, last] = reply;
      const entries = raw.map(([entryId, fields]): [number, string] => [seqOf(entryId), fields[1] ?? '']);
      return { entries, oldestSeq: kind === 'first' ? seqOf(id) : seqOf(id) + 1, lastSeq: seqOf(last) };
    },

    close() {
      closing ??= (async () => {
        closed = true;
        handlers.clear();
        subscriber.off('message', onMessage).off('smessage', onMessage);
        await Promise.all([end(subscriber), client ? undefined : end(commands), publisher?.close()]);
        for (const detach of detachers.splice(0)) detach();
      })();
      return closing;
    },
  };
}

function checkOptions(options: RedisAdapterOptions): { url?: string; cluster?: string[]; client?: RedisClient } {
  const fix = "pass { url: 'redis://127.0.0.1:6379' }, { cluster: ['redis://10.0.0.1:7000', …] } or { client } with an ioredis client";
  if (typeof options !== 'object' || options === null) throw new TypeError(`redisAdapter: ${fix}`);
  const { url, cluster, clusterOptions, client, prefix } = options;
  const given = [url, cluster, client].filter((value) => value !== undefined).length;
  if (given > 1) throw new TypeError('redisAdapter: pass one of url, cluster or client');
  if (given === 0) throw new TypeError(`redisAdapter: ${fix}`);
  if (url !== undefined && !isRedisUrl(url)) {
    throw new TypeError(`redisAdapter: url must look like 'redis://127.0.0.1:6379' (or rediss:// for TLS), got ${JSON.stringify(url)}`);
  }
  if (cluster !== undefined && (!Array.isArray(cluster) || cluster.length === 0 || !cluster.every(isRedisUrl))) {
    throw new TypeError(`redisAdapter: cluster must be seed node URLs such as ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'], got ${JSON.stringify(cluster)}`);
  }
  if (clusterOptions !== undefined && (cluster === undefined || typeof clusterOptions !== 'object' || clusterOptions === null)) {
    throw new TypeError('redisAdapter: clusterOptions go with cluster (seed URLs); with a Cluster client, set them on the client');
  }
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.duplicate !== 'function' || typeof client.call !== 'function')) {
    throw new TypeError("redisAdapter: client must be an ioredis client, e.g. new Redis('redis://127.0.0.1:6379') or new Cluster([...]) from 'ioredis'");
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || /[{}]/.test(prefix))) {
    throw new TypeError("redisAdapter: prefix must be a string without braces, such as 'ghost:'");
  }
  return { url, cluster, client };
}

/** Where the adapter connects, for error reports: no password. */
function describe(url: string | undefined, cluster: string[] | undefined, commands: RedisClient): string {
  if (url) return redact(url);
  if (cluster) return cluster.map(redact).join(', ');
  if (commands instanceof Cluster) return 'the nodes of the given Cluster client';
  return `${commands.options.host ?? 'localhost'}:${commands.options.port ?? 6379}`;
}

/** Resolves once `redis` is ready, rejects on its first error; connects it if nobody has yet. */
function ready(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  if (redis.status === 'end') return Promise.reject(new Error('redisAdapter: the ioredis client was closed'));
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      redis.off('ready', onReady).off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onError = (error: Error) => settle(error);
    redis.once('ready', onReady).once('error', onError);
    if (redis.status === 'wait') redis.connect().catch(() => undefined); // the failure arrives as 'error'
  });
}

/** Quits politely when connected, otherwise stops the reconnect loop at once. */
async function end(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // the link went down meanwhile: cut it below
    }
  }
  redis.disconnect();
}

/** An integer Redis accepts, rounded the way the memory adapter treats a fraction. */
function whole(value: number, min: number, round: (n: number) => number): number {
  return Number.isFinite(value) ? Math.max(min, round(value)) : min;
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
