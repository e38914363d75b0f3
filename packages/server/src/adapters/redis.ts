import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Adapter, AdapterContext, StreamRange } from './adapter.js';

/** Options of {@link redisAdapter}. Give `url` or `client`. */
export interface RedisAdapterOptions {
  /** Where Redis listens: `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. */
  url?: string;
  /**
   * An ioredis client to send commands through, for options `url` cannot say (TLS certificates,
   * Sentinel, timeouts). The adapter duplicates it for its subscriber connection and leaves the client
   * itself open on `close()`: whoever made it closes it.
   */
  client?: Redis;
  /**
   * Starts every key and channel the adapter writes, so several apps can share one Redis. A channel
   * that already starts with it (the hub names its channels `ghost:…`) is used as it is.
   * @default 'ghost:'
   */
  prefix?: string;
}

const DEFAULTS = {
  prefix: 'ghost:',
  // Commands wait through a short blip (a restart: ~4 tries, about 1 s) and then fail, so a chat send
  // during an outage gets an answer instead of hanging. Subscriptions wait for as long as it takes.
  commandRetries: 3,
  // Retries alone do not bound a link that accepts and drops, or swallows bytes: no command may
  // wait longer than this for its answer (a hub.publish or a chat send during such an outage fails
  // after it, and local delivery has happened anyway).
  commandTimeoutMs: 1500,
  // Stream entries are stored as one field named like this.
  field: 'e',
};

// Redis Cluster is not supported yet. Every command and script below touches a single key, so each
// would run on any shard unchanged; what Cluster adds is locality. To keep a room's name claims, its
// history and its channel on one shard, the room goes into a hash tag (`ghost:chat:{lobby}:history`,
// `ghost:chat:{lobby}:name:ada`; Redis hashes only the text between the first `{` and the next `}`),
// and the bus moves to sharded pub/sub (SSUBSCRIBE / SPUBLISH, Redis 7) on a channel named with the
// same tag (`ghost:chat:{lobby}`). The hub builds the names, so it would place the braces (escaping
// any in user-chosen room names) and this adapter would pass them through.

// Take `KEYS[1]` for `ARGV[1]` for `ARGV[2]` ms; the owner that holds it refreshes the expiry.
const CLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;

// Compare and delete: a claim that expired and was taken by someone else is left alone.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`;

// Append ARGV[3] to the stream capped at ARGV[1] entries ('' for no cap), in field ARGV[2]. A new
// stream (the first append, or one Redis lost in a restart) starts numbering at the current time in
// microseconds, above any number an earlier incarnation gave out: a client's position in the lost
// history then reads as a gap (a `reset`), never as a place in the new one. After that, `0-*` counts
// on from the last id: consecutive, across nodes, kept after trimming.
const APPEND = `
local id = '0-*'
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  id = '0-' .. t[1] .. string.sub('00000' .. t[2], -6)
end
if ARGV[1] == '' then return redis.call('XADD', KEYS[1], id, ARGV[2], ARGV[3]) end
return redis.call('XADD', KEYS[1], 'MAXLEN', '=', ARGV[1], id, ARGV[2], ARGV[3])`;

// Entries after seq ARGV[1] (at most ARGV[2]) plus, from the same snapshot, the oldest entry's id (or
// none) and the last id the stream gave out (it keeps it after trimming).
const RANGE = `
local entries = {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], '(0-' .. ARGV[1], '+', 'COUNT', ARGV[2])
end
local last = '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1] end
  end
end
local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
if first then return { 'first', first[1], entries, last } end
return { 'last', last, entries, last }`;

/**
 * The adapter for hubs on several machines: the bus is Redis pub/sub (SUBSCRIBE / PUBLISH, one channel
 * per room or topic, never patterns), claims are `SET NX PX` keys, histories are capped streams. Needs
 * Redis 7 or newer and the `ioredis` package (an optional peer dependency of `@ghost/server`).
 *
 * @example
 * import { createHub } from '@ghost/server';
 * import { redisAdapter } from '@ghost/server/redis';
 *
 * const hub = createHub({ adapter: redisAdapter({ url: process.env.REDIS_URL }) });
 */
export function redisAdapter(options: RedisAdapterOptions): Adapter {
  const { url, client } = checkOptions(options);
  const prefix = options.prefix ?? DEFAULTS.prefix;
  const where = url ? redact(url) : `${client!.options.host ?? 'localhost'}:${client!.options.port ?? 6379}`;
  const commands = client ?? new Redis(url!, { lazyConnect: true, maxRetriesPerRequest: DEFAULTS.commandRetries, commandTimeout: DEFAULTS.commandTimeoutMs });
  const subscriber = commands.duplicate({ lazyConnect: true, maxRetriesPerRequest: null });
  const handlers = new Map<string, (frame: string) => void>();
  const detachers: (() => void)[] = [];
  let report: (error: Error) => void = () => undefined;
  let reconnected: () => void = () => undefined;
  let closing: Promise<void> | undefined;
  let closed = false;

  const key = (name: string) => prefix + name;
  const channelOf = (name: string) => (name.startsWith(prefix) ? name : prefix + name);

  // One report per outage, not one per connection and reconnect attempt. A crashed Redis shows first as
  // a 'close' (the refused reconnects come after), so a lost link is reported even if it heals at once.
  const down = new Set<Redis>();
  function watch(redis: Redis, role: string): void {
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
      watch(commands, 'command');
      watch(subscriber, 'subscriber');
      subscriber.on('message', onMessage);
      // A Redis that is down at start is reported (by `watch`), not thrown: ioredis keeps trying,
      // commands wait in its queue, and the hub works locally meanwhile.
      await Promise.all([ready(commands), ready(subscriber)]).catch(() => undefined);
    },

    async subscribe(channel, onFrame) {
      const name = channelOf(channel);
      if (handlers.has(name)) return;
      handlers.set(name, onFrame);
      try {
        // ioredis remembers the channel and subscribes again by itself after a reconnect.
        await subscriber.subscribe(name);
      } catch (error) {
        if (handlers.get(name) === onFrame) handlers.delete(name);
        throw error;
      }
    },

    async unsubscribe(channel) {
      const name = channelOf(channel);
      if (!handlers.delete(name)) return;
      await subscriber.unsubscribe(name);
    },

    async publish(channel, frame) {
      await commands.publish(channelOf(channel), frame);
    },

    async claim(name, owner, ttlMs) {
      return (await claim(commands, key(name), owner, whole(ttlMs, 1, Math.ceil))) === 1;
    },

    async release(name, owner) {
      await release(commands, key(name), owner);
    },

    async append(stream, entry, maxLen) {
      // Ids of millisecond 0 (`0-N`): the stream itself gives out N atomically, gap-free across nodes;
      // no counter key to drift apart from it.
      const cap = Number.isFinite(maxLen) ? whole(maxLen, 0, Math.ceil) : ''; // like memory: no number, no cap
      const id = await append(commands, key(stream), cap, DEFAULTS.field, entry).catch((error: unknown) => {
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
        subscriber.off('message', onMessage);
        await Promise.all([end(subscriber), client ? undefined : end(commands)]);
        for (const detach of detachers.splice(0)) detach();
      })();
      return closing;
    },
  };
}

function checkOptions(options: RedisAdapterOptions): { url?: string; client?: Redis } {
  const fix = "pass { url: 'redis://127.0.0.1:6379' } or { client } with an ioredis client";
  if (typeof options !== 'object' || options === null) throw new TypeError(`redisAdapter: ${fix}`);
  const { url, client, prefix } = options;
  if (url !== undefined && client !== undefined) throw new TypeError('redisAdapter: pass url or client, not both');
  if (url === undefined && client === undefined) throw new TypeError(`redisAdapter: ${fix}`);
  if (url !== undefined && (typeof url !== 'string' || !/^rediss?:\/\/[^/]/.test(url) || !URL.canParse(url))) {
    throw new TypeError(`redisAdapter: url must look like 'redis://127.0.0.1:6379' (or rediss:// for TLS), got ${JSON.stringify(url)}`);
  }
  if (client !== undefined) {
    if (typeof client !== 'object' || client === null || typeof client.duplicate !== 'function' || typeof client.call !== 'function') {
      throw new TypeError("redisAdapter: client must be an ioredis client, e.g. new Redis('redis://127.0.0.1:6379') from 'ioredis'");
    }
    if ((client as { isCluster?: boolean }).isCluster) {
      throw new TypeError('redisAdapter: Redis Cluster is not supported yet; pass a client of a single Redis (or a Sentinel setup)');
    }
  }
  if (prefix !== undefined && typeof prefix !== 'string') throw new TypeError("redisAdapter: prefix must be a string such as 'ghost:'");
  return { url, client };
}

/** A Lua script run by hash, sent in full only when Redis does not know it yet (first use, a restart). */
function script(source: string) {
  const sha = createHash('sha1').update(source).digest('hex');
  return async (redis: Redis, key: string, ...args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, 1, key, ...args);
    } catch (error) {
      if (!String(error).includes('NOSCRIPT')) throw error;
      return redis.eval(source, 1, key, ...args);
    }
  };
}
const claim = script(CLAIM);
const release = script(RELEASE);
const range = script(RANGE);
const append = script(APPEND);

/** Resolves once `redis` is ready, rejects on its first error; connects it if nobody has yet. */
function ready(redis: Redis): Promise<void> {
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
async function end(redis: Redis): Promise<void> {
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

function seqOf(id: unknown): number {
  return Number(String(id).slice(String(id).indexOf('-') + 1));
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

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
