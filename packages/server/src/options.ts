import { getHeapStatistics } from 'node:v8';
import type { IncomingMessage } from 'node:http';
import type { SchemaDefinition } from '@ghost/protocol';
import type { Adapter } from './adapters/adapter.js';
import { isNumberAtLeast, numberOption } from './number-option.js';

/**
 * Who is on the other end of a connection, as `authenticate` returns it. `id` identifies the person
 * across connections (`hub.sendTo(userId)`); the whole object is public: other members see it in
 * presence, so never put secrets in it.
 */
export interface GhostUser {
  /** Identifies the person across connections and hub nodes: 1 to 256 characters. */
  id: string;
  /** A CSS colour for this user's connections and presence (`#e11d48`, `hsl(…)`); one is picked otherwise. */
  color?: string;
  [key: string]: unknown;
}

/** What a client asks to touch. */
export interface AuthorizeTarget {
  /** What kind of thing: a topic, a presence room or a chat room. */
  kind: 'topic' | 'presence' | 'chat';
  /** Its name. */
  name: string;
}

/**
 * What a client asks to do: `subscribe`/`publish` a topic, `watch`/`track` a presence room,
 * `join` (read) a chat room or `send` in it (claiming a name included).
 */
export type AuthorizeAction = 'subscribe' | 'publish' | 'watch' | 'track' | 'join' | 'send';

/** Decides whether `user` may do `action` on `target`; sync or async. */
export type Authorize = (user: GhostUser | undefined, target: AuthorizeTarget, action: AuthorizeAction) => boolean | Promise<boolean>;

/** Who a member is: each connection (`'connection'`), or each authenticated user across tabs (`'user'`). */
export type PresenceKey = 'connection' | 'user';

/**
 * Which chat names the hub accepts, besides the rules every name follows:
 * - `'any'`: letters of any scripts, mixed.
 * - `'single-script'`: the letters of one name come from one script, so `pаypal` with a Cyrillic `а`
 *   is refused. Latin may go with Han, Hiragana, Katakana, Hangul and Bopomofo, as Japanese, Chinese
 *   and Korean names are written.
 */
export type ChatNameRule = 'any' | 'single-script';

/** Chat settings of a hub. */
export interface ChatOptions {
  /** Messages kept per room and sent to each newcomer. @default 50 */
  historySize: number;
  /**
   * How long a room's history is kept after its last message, in ms; each message renews it, reading
   * does not. A newcomer to a room silent for longer gets an empty history. `0` or `Infinity`: kept
   * for ever. @default 604800000 (7 days)
   */
  historyTtlMs: number;
  /** Longest message, in characters. @default 2000 */
  maxTextLength: number;
  /** How long a name claim lives without renewal; the hub renews held names at a third of it. @default 30000 */
  claimTtlMs: number;
  /** Whether a name may mix scripts (see {@link ChatNameRule}). @default 'any' */
  names: ChatNameRule;
}

/**
 * The default of `limits.maxHubBufferedBytes`: a quarter of the V8 heap limit, so that what waits for
 * slow readers can never take the process down, whatever their number, and leaves the rest of the heap
 * to the hub's own state. 512 MiB with Node's usual 2 GiB+ heaps; follows `--max-old-space-size`.
 */
export function defaultHubBufferedBytes(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 4);
}

/** Per-connection limits. Each breach is answered with a coded `error`; the worst close the socket. */
export interface HubLimits {
  /** Largest frame a client may send; larger ones close the socket with 1009. @default 65536 */
  maxFrameBytes: number;
  /** Messages per second a connection may send on average. @default 120 */
  messagesPerSecond: number;
  /** Messages a connection may send in a burst above the average. @default 240 */
  burst: number;
  /**
   * Presence updates (cursor moves) per second, on their own budget so a moving cursor never
   * starves the connection's other messages. @default 120
   */
  presencePerSecond: number;
  /** Presence updates a connection may send in a burst above the average. @default 240 */
  presenceBurst: number;
  /** Open connections from one client address; past it, new ones are refused with 4203. 0: no limit. @default 0 */
  maxConnectionsPerAddress: number;
  /**
   * Open connections on this hub; past it, new ones are refused with 4203 and a retry-after hint, so
   * an overloaded node sheds load instead of slowing everyone. A resume is never refused. 0: no limit.
   * @default 0
   */
  maxConnections: number;
  /**
   * The wait asked of a client refused with 4203: each is told a random point between half of it and
   * all of it, so refused clients do not come back together. @default 5000
   */
  retryAfterMs: number;
  /** Largest presence state, in bytes of JSON. @default 4096 */
  maxStateBytes: number;
  /** Topics one connection may subscribe to. @default 256 */
  maxTopics: number;
  /** Presence and chat rooms one connection may join. @default 64 */
  maxRooms: number;
  /**
   * Bytes one connection may have waiting to be sent (in its socket and the hub's queues for it)
   * before the hub closes it as too slow (1008, with a retry-after hint). @default 8388608
   */
  maxBufferedBytes: number;
  /**
   * Bytes all connections together may have waiting to be sent. Past it, the hub closes readers, the
   * longest silent (oldest unanswered ping) and then the biggest first (1008 `too slow: hub send budget
   * exceeded`, with a retry-after hint) until a quarter of it is free; a reader that keeps up
   * (answers the hub's pings in time, less than `slowBufferedBytes` waiting) is never closed. @default a quarter of the V8 heap limit (`v8.getHeapStatistics().heap_size_limit / 4`)
   */
  maxHubBufferedBytes: number;
  /**
   * Bytes waiting past which a socket counts as slow, beyond the most the hub writes ahead of what the
   * client proved it read (256 KiB; the client proves it with its pongs to the hub's WebSocket pings):
   * it gets no presence diffs (they would be stale by the time they arrive) and, once it has caught up,
   * one snapshot of the newest state instead; its topic messages queue per topic (`slowTopics`).
   * @default 262144
   */
  slowBufferedBytes: number;
}

/**
 * What happens when a slow subscriber's queue for a topic is full:
 * - `'drop-oldest'`: the oldest queued message makes room. On a recoverable topic nothing is lost: the
 *   hub stops queueing and, once the reader caught up, replays what it missed from the topic's history
 *   (or sends `topic.reset` if that is gone). On other topics the dropped messages are lost to that
 *   reader.
 * - `'disconnect'`: the socket is closed (1008); the client reconnects and, on a recoverable topic,
 *   asks for what it missed.
 */
export type SlowTopicPolicy = 'drop-oldest' | 'disconnect';

/** Options of {@link createHub}; all of them are optional. */
export interface HubOptions<S extends SchemaDefinition = SchemaDefinition> {
  /** The app's schema (`defineSchema`); user payloads that do not match it get `INVALID_PAYLOAD`. */
  schema?: S;
  /** How this hub reaches other hub nodes. @default memoryAdapter() */
  adapter?: Adapter;
  /**
   * Decides who may connect, from the upgrade request (cookies, headers, query). Return the user, or
   * `null` to refuse: the client is told with close code 4001 and stops retrying. Without it every
   * connection is accepted as an anonymous user.
   */
  authenticate?: (request: IncomingMessage) => GhostUser | null | Promise<GhostUser | null>;
  /**
   * Decides, per user, target and action, what a connection may do: subscribe or publish a topic,
   * watch or track a presence room, join or send in a chat room. Sync or async; asked once per
   * connection, target and action. Denied, or throwing: the client gets `FORBIDDEN`.
   */
  authorize?: Authorize;
  /**
   * Origins allowed to connect, matched exactly against the `Origin` header (`'https://app.example'`),
   * or a function deciding. A browser always sends `Origin`, so this stops other sites from opening
   * sockets with your users' cookies; a request without `Origin` (a server, a CLI) is not a browser
   * and is let through. Refused: close code 4003. @default any origin
   */
  origins?: readonly string[] | ((origin: string) => boolean);
  /**
   * Behind proxies, how many of them to trust for the client's address: `true` for one, a number for
   * several. The address is then read from `X-Forwarded-For`, that many entries from the right;
   * otherwise it is the socket's peer. A header from an untrusted hop is never believed. @default false
   */
  trustProxy?: boolean | number;
  /** Per-connection limits; the defaults are safe for a public endpoint. */
  limits?: Partial<HubLimits>;
  /** How often the hub pings each client; a client silent for two intervals is dropped. @default 15000 */
  heartbeatMs?: number;
  /** How long a dropped connection may come back as itself (same id, no leave/join). @default 10000 */
  graceMs?: number;
  /** How often coalesced presence changes are sent to each room. @default 33 */
  tickMs?: number;
  /** Chat history size, message length and name claims. */
  chat?: Partial<ChatOptions>;
  /**
   * Topics whose messages are numbered and kept, so a client that reconnects (to this node or another)
   * gets exactly what it missed, in order, or a `reset` when the gap is older than the history; and a
   * publish resent after a reconnect is delivered once. Costs a store round trip per publish.
   * @default no topic
   */
  recovery?: {
    /** Which topics: `true` for all, a list of names, or a function deciding per name. */
    topics: true | readonly string[] | ((topic: string) => boolean);
    /** Messages kept per topic; a reader further behind gets a `reset`. @default 1000 */
    historySize?: number;
    /**
     * How long a topic's history is kept after its last publish, in ms; each publish renews it,
     * replays do not. A reader coming back after it lapsed gets a `reset`. `0` or `Infinity`: kept
     * for ever. @default 86400000 (1 day)
     */
    ttlMs?: number;
  };
  /**
   * What a subscriber that reads too slowly (more than `limits.slowBufferedBytes` waiting) gets of a
   * topic. Its messages queue for it, up to `maxQueued` per topic, and go out once it caught up; past
   * that, the topic's policy applies (see {@link SlowTopicPolicy}). Others on the topic never wait.
   */
  slowTopics?: {
    /** The policy, or a function choosing one per topic. @default 'drop-oldest' on recoverable topics, 'disconnect' on others */
    policy?: SlowTopicPolicy | ((topic: string) => SlowTopicPolicy);
    /** Messages queued per slow reader and topic before the policy applies. @default 256 */
    maxQueued?: number;
  };
  /**
   * Who a presence member is. `'connection'`: every connection (tab) is its own member. `'user'`: the
   * user `authenticate` returned, so one person in two tabs is one member whose id is the user id (the
   * last `track` wins, and your own tabs are not among your `others`). Connections without a user
   * stay keyed by connection. @default 'connection'
   */
  presenceKey?: PresenceKey;
  /** This node's id in a cluster. @default a random id */
  nodeId?: string;
  /** How often this node tells the others it is alive. @default 1000 */
  nodeHeartbeatMs?: number;
  /**
   * How long another node may stay silent before its presence members leave everywhere with reason
   * `node-down`: a crashed node's ghosts are gone after at most this plus one `nodeHeartbeatMs`.
   * Must be longer than `nodeHeartbeatMs`. @default 3500
   */
  nodeTimeoutMs?: number;
}

/** The defaults of {@link HubLimits}. */
export const DEFAULT_LIMITS: Readonly<HubLimits> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  messagesPerSecond: 120,
  burst: 240,
  presencePerSecond: 120,
  presenceBurst: 240,
  maxConnectionsPerAddress: 0,
  maxConnections: 0,
  retryAfterMs: 5000,
  maxStateBytes: 4096,
  maxTopics: 256,
  maxRooms: 64,
  maxBufferedBytes: 8 * 1024 * 1024,
  maxHubBufferedBytes: defaultHubBufferedBytes(),
  slowBufferedBytes: 256 * 1024,
});

/** The defaults of the hub's timing options. */
export const DEFAULTS = Object.freeze({ heartbeatMs: 15_000, graceMs: 10_000, tickMs: 33, nodeHeartbeatMs: 1000, nodeTimeoutMs: 3500 });

/** The default of `recovery.historySize`: messages kept per recoverable topic. */
export const DEFAULT_RECOVERY_HISTORY = 1000;

/**
 * The default of `recovery.ttlMs`: a topic's history lapses a day after its last publish. Recovery
 * bridges reconnects (seconds to minutes, a laptop closed overnight at most); a client away longer
 * has missed more than replaying is worth and gets a `reset`, as it would past `historySize`.
 */
export const DEFAULT_RECOVERY_TTL_MS = 24 * 60 * 60_000;

/** The default of `slowTopics.maxQueued`: messages queued per slow reader and topic. */
export const DEFAULT_SLOW_QUEUE = 256;

/**
 * The defaults of {@link ChatOptions}. A room's history lapses a week after its last message: long
 * enough that a weekly channel keeps its context, short enough that abandoned rooms stop costing.
 */
export const DEFAULT_CHAT: Readonly<ChatOptions> = Object.freeze({
  historySize: 50,
  historyTtlMs: 7 * 24 * 60 * 60_000,
  maxTextLength: 2000,
  claimTtlMs: 30_000,
  names: 'any',
});

/** Options with every default filled in. */
export interface ResolvedHubOptions {
  schema: SchemaDefinition | undefined;
  authenticate: HubOptions['authenticate'];
  authorize: Authorize | undefined;
  origins: ((origin: string) => boolean) | undefined;
  trustProxy: number;
  limits: HubLimits;
  heartbeatMs: number;
  graceMs: number;
  tickMs: number;
  presenceKey: PresenceKey;
  chat: ChatOptions;
  nodeHeartbeatMs: number;
  nodeTimeoutMs: number;
  recovery: { recoverable(topic: string): boolean; historySize: number; ttlMs: number };
  slowTopics: { policy(topic: string): SlowTopicPolicy; maxQueued: number };
}

/** An idle lifetime in ms: `0` or `Infinity` mean never (resolved to `Infinity`). */
function lifetime(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === 0 || value === Infinity) return Infinity;
  if (!isNumberAtLeast(value, 1)) {
    throw new TypeError(`createHub: ${name} must be a number of ms ≥ 1, or 0 / Infinity to keep for ever, got ${String(value)}`);
  }
  return value;
}

function fn<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') throw new TypeError(`createHub: ${name} must be a function`);
  return value;
}

function origins(value: HubOptions['origins']): ((origin: string) => boolean) | undefined {
  if (value === undefined || typeof value === 'function') return value;
  if (!Array.isArray(value) || value.some((o) => typeof o !== 'string' || o.endsWith('/'))) {
    throw new TypeError("createHub: origins must be a list of origins such as ['https://app.example'] (no trailing slash), or a function");
  }
  const allowed = new Set(value);
  return (origin) => allowed.has(origin);
}

function recovery(value: HubOptions['recovery']): ResolvedHubOptions['recovery'] {
  const historySize = numberOption('createHub', 'recovery.historySize', value?.historySize, DEFAULT_RECOVERY_HISTORY);
  const ttlMs = lifetime('recovery.ttlMs', value?.ttlMs, DEFAULT_RECOVERY_TTL_MS);
  const topics = value?.topics;
  if (topics === undefined) return { recoverable: () => false, historySize, ttlMs };
  if (topics === true) return { recoverable: () => true, historySize, ttlMs };
  if (typeof topics === 'function') return { recoverable: topics, historySize, ttlMs };
  if (!Array.isArray(topics)) throw new TypeError("createHub: recovery.topics must be true, a list of topic names, or a function (topic) => boolean");
  const names = new Set(topics);
  return { recoverable: (topic) => names.has(topic), historySize, ttlMs };
}

function slowTopics(value: HubOptions['slowTopics'], recoverable: (topic: string) => boolean): ResolvedHubOptions['slowTopics'] {
  const maxQueued = numberOption('createHub', 'slowTopics.maxQueued', value?.maxQueued, DEFAULT_SLOW_QUEUE);
  const policy = value?.policy;
  if (policy === undefined) return { policy: (topic) => (recoverable(topic) ? 'drop-oldest' : 'disconnect'), maxQueued };
  if (typeof policy === 'function') return { policy, maxQueued };
  if (policy !== 'drop-oldest' && policy !== 'disconnect') {
    throw new TypeError(`createHub: slowTopics.policy must be 'drop-oldest', 'disconnect' or a function (topic) => policy, got ${JSON.stringify(policy)}`);
  }
  return { policy: () => policy, maxQueued };
}

function nodeTimeout(options: HubOptions): number {
  const heartbeat = options.nodeHeartbeatMs ?? DEFAULTS.nodeHeartbeatMs;
  const timeout = numberOption('createHub', 'nodeTimeoutMs', options.nodeTimeoutMs, DEFAULTS.nodeTimeoutMs, 20);
  if (timeout <= heartbeat) {
    throw new TypeError(`createHub: nodeTimeoutMs (${timeout}) must be longer than nodeHeartbeatMs (${heartbeat}), or every node looks dead between heartbeats`);
  }
  return timeout;
}

function presenceKey(value: unknown): PresenceKey {
  if (value === undefined || value === 'connection' || value === 'user') return value ?? 'connection';
  throw new TypeError(`createHub: presenceKey must be 'connection' or 'user', got ${JSON.stringify(value)}`);
}

function chatNames(value: unknown): ChatNameRule {
  if (value === undefined || value === 'any' || value === 'single-script') return value ?? DEFAULT_CHAT.names;
  throw new TypeError(`createHub: chat.names must be 'any' or 'single-script', got ${JSON.stringify(value)}`);
}

/** Fills in defaults and throws a `TypeError` that names the fix for any bad option. */
export function resolveOptions(options: HubOptions): ResolvedHubOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('createHub(options): options must be an object');
  if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
    throw new TypeError('createHub: authenticate must be a function (request) => user | null');
  }
  const limits = { ...DEFAULT_LIMITS };
  const resolvedRecovery = recovery(options.recovery);
  for (const [key, value] of Object.entries(options.limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new TypeError(`createHub: unknown limit "${key}"; known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    }
    const min = key === 'maxConnectionsPerAddress' || key === 'maxConnections' || key === 'retryAfterMs' ? 0 : 1;
    limits[key as keyof HubLimits] = numberOption('createHub', `limits.${key}`, value, DEFAULT_LIMITS[key as keyof HubLimits], min);
  }
  return {
    schema: options.schema,
    authenticate: options.authenticate,
    authorize: fn('authorize', options.authorize),
    origins: origins(options.origins),
    trustProxy: options.trustProxy === true ? 1 : numberOption('createHub', 'trustProxy', options.trustProxy === false ? 0 : options.trustProxy, 0, 0),
    limits,
    heartbeatMs: numberOption('createHub', 'heartbeatMs', options.heartbeatMs, DEFAULTS.heartbeatMs, 10),
    graceMs: numberOption('createHub', 'graceMs', options.graceMs, DEFAULTS.graceMs, 0),
    tickMs: numberOption('createHub', 'tickMs', options.tickMs, DEFAULTS.tickMs, 1),
    presenceKey: presenceKey(options.presenceKey),
    nodeHeartbeatMs: numberOption('createHub', 'nodeHeartbeatMs', options.nodeHeartbeatMs, DEFAULTS.nodeHeartbeatMs, 10),
    recovery: resolvedRecovery,
    slowTopics: slowTopics(options.slowTopics, resolvedRecovery.recoverable),
    nodeTimeoutMs: nodeTimeout(options),
    chat: {
      historySize: numberOption('createHub', 'chat.historySize', options.chat?.historySize, DEFAULT_CHAT.historySize, 0),
      historyTtlMs: lifetime('chat.historyTtlMs', options.chat?.historyTtlMs, DEFAULT_CHAT.historyTtlMs),
      maxTextLength: numberOption('createHub', 'chat.maxTextLength', options.chat?.maxTextLength, DEFAULT_CHAT.maxTextLength),
      claimTtlMs: numberOption('createHub', 'chat.claimTtlMs', options.chat?.claimTtlMs, DEFAULT_CHAT.claimTtlMs, 30),
      names: chatNames(options.chat?.names),
    },
  };
}
