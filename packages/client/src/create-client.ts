import type { SchemaDefinition } from '@ghost/protocol';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { GhostClient } from './client.js';
import { Connection, type ParamsProvider } from './connection.js';
import { resolveUrl, type SocketConstructor } from './websocket.js';

/** Options of {@link createClient}; all of them are optional. */
export interface ClientOptions<S extends SchemaDefinition = SchemaDefinition> {
  /** The app's schema (`defineSchema`), imported from the same module as the hub's; it types every handle. */
  schema?: S;
  /** Query parameters for each connection attempt, or a function that makes them (for a fresh token each time). */
  params?: ParamsProvider;
  /** Reconnect delays (exponential, full jitter). */
  backoff?: Partial<BackoffOptions>;
  /** How long a connection attempt may take until the hub's welcome. @default 10000 */
  connectTimeoutMs?: number;
  /** How long a link must stay up before the retry count resets. @default 5000 */
  stableAfterMs?: number;
  /** Requests (publishes) that may wait for the hub, offline included; past it they reject with `NOT_SENT`. @default 1000 */
  maxQueued?: number;
  /** Least time between two presence updates sent by one room; the newest state wins. @default 16 */
  trackIntervalMs?: number;
  /** Chat messages each chat handle keeps in `history`. @default 100 */
  chatHistoryLimit?: number;
  /** The WebSocket class, where neither the browser's nor `ws` should be used. */
  WebSocket?: SocketConstructor;
}

// The rule and the words of @ghost/server's numberOption: the two packages share no code but the protocol's.
function numberOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new TypeError(`createClient: ${name} must be a number ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * Connects to a Ghost hub and keeps connecting: reconnects with backoff, restores subscriptions and
 * presence, and sends what was published while offline.
 *
 * @example
 * import { createClient } from '@ghost/client';
 *
 * const client = createClient('/ghost');      // or 'ws://localhost:3000/ghost' outside a browser
 * const lobby = client.presence('lobby');
 * window.addEventListener('pointermove', (e) => lobby.track({ x: e.clientX, y: e.clientY }));
 * lobby.on('change', (others) => render(others));
 */
export function createClient<const S extends SchemaDefinition = SchemaDefinition>(url: string, options: ClientOptions<S> = {}): GhostClient<S> {
  const backoff: BackoffOptions = {
    minDelayMs: numberOption('backoff.minDelayMs', options.backoff?.minDelayMs, DEFAULT_BACKOFF.minDelayMs, 0),
    maxDelayMs: numberOption('backoff.maxDelayMs', options.backoff?.maxDelayMs, DEFAULT_BACKOFF.maxDelayMs, 0),
    factor: numberOption('backoff.factor', options.backoff?.factor, DEFAULT_BACKOFF.factor, 1),
  };
  if (options.backoff?.random !== undefined) {
    if (typeof options.backoff.random !== 'function') throw new TypeError('createClient: backoff.random must be a function returning a number from 0 to 1');
    backoff.random = options.backoff.random;
  }
  if (options.params !== undefined && typeof options.params !== 'function' && typeof options.params !== 'object') {
    throw new TypeError('createClient: params must be an object of strings or a function returning one');
  }
  let client: GhostClient<S> | undefined;
  const connection = new Connection(
    {
      url: resolveUrl(url),
      WebSocket: options.WebSocket,
      backoff,
      connectTimeoutMs: numberOption('connectTimeoutMs', options.connectTimeoutMs, 10_000, 1),
      stableAfterMs: numberOption('stableAfterMs', options.stableAfterMs, 5_000, 0),
      params: options.params,
    },
    {
      welcome: (welcome) => client!.onWelcome(welcome),
      message: (message) => client!.onMessage(message),
      status: (status, reason) => client!.onStatus(status, reason),
      failed: (error) => client!.onFailed(error),
      stopped: (error) => client!.onStopped(error),
    },
  );
  client = new GhostClient<S>(connection, numberOption('maxQueued', options.maxQueued, 1000, 1), {
    trackIntervalMs: numberOption('trackIntervalMs', options.trackIntervalMs, 16, 0),
  }, numberOption('chatHistoryLimit', options.chatHistoryLimit, 100, 1));
  connection.start();
  return client;
}
