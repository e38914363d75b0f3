/**
 * WebSocket close codes the hub uses. The range decides the client's reaction:
 * - 1000: closed on purpose; stay closed.
 * - 1001, 1006, 1008, 1009, 1011: the link went away or broke; reconnect with backoff.
 * - 4000–4099: refused; reconnecting will be refused again, so stop and report the reason.
 * - 4100–4199: credentials expired; reconnect once fresh credentials can be had.
 * - 4200–4299: the hub asks the client to come back later; reconnect with backoff.
 */
export const CloseCode = {
  /** Closed on purpose by either side. */
  NORMAL: 1000,
  /** The hub is shutting down (`hub.close()`); reconnect, probably to another node. */
  GOING_AWAY: 1001,
  /** No close frame was received: the network or the process died. Never sent, only observed. */
  ABNORMAL: 1006,
  /** The connection broke a limit badly (for example kept sending past its rate limit). */
  POLICY_VIOLATION: 1008,
  /** A frame was larger than the hub's `maxFrameBytes`. */
  TOO_LARGE: 1009,
  /** The hub failed while handling this connection. */
  INTERNAL: 1011,
  /** An operator ended the connection (the hub's ops API); the client stops rather than coming straight back. */
  DISCONNECTED_BY_OPERATOR: 4000,
  /** `authenticate` refused the connection. */
  UNAUTHORIZED: 4001,
  /** The request's `Origin` is not in the hub's `origins` allow-list. */
  FORBIDDEN: 4003,
  /** The client speaks another protocol version. */
  VERSION_MISMATCH: 4006,
  /** A newer socket resumed this connection's session; this one is obsolete. */
  REPLACED: 4009,
  /** The credentials were valid once but are no longer; reconnect with fresh ones (reserved for token expiry). */
  SESSION_EXPIRED: 4101,
  /**
   * Sent by a client that heard nothing for two heartbeat intervals and gives up on the link (the hub
   * keeps the session for its grace period). The hub cuts a silent client without a close frame,
   * since a dead link cannot carry one: that client observes 1006.
   */
  HEARTBEAT_TIMEOUT: 4200,
  /**
   * The hub is at a connection limit (its own `maxConnections`, or the client address's); come back
   * later. The close reason carries a retry-after hint (see {@link retryAfterOf}).
   */
  TRY_AGAIN_LATER: 4203,
} as const;

/** One of the {@link CloseCode} numbers. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** What a client does after a close: stop, reconnect with fresh credentials, or reconnect with backoff. */
export type CloseReaction = 'stop' | 'reauthenticate' | 'retry';

/** The reaction to a close code, by the ranges documented on {@link CloseCode}. */
export function closeReaction(code: number): CloseReaction {
  if (code === CloseCode.NORMAL) return 'stop';
  if (code >= 4000 && code < 4100) return 'stop';
  if (code >= 4100 && code < 4200) return 'reauthenticate';
  return 'retry';
}

/**
 * Whether a client should reconnect after the socket closed with `code`.
 *
 * @example
 * shouldReconnect(1001); // true: the hub is draining, go elsewhere
 * shouldReconnect(4001); // false: refused, retrying will be refused again
 */
export function shouldReconnect(code: number): boolean {
  return closeReaction(code) !== 'stop';
}

// A close reason is at most 123 bytes of UTF-8; the hint goes last so a long reason cannot push it out.
const MAX_REASON_BYTES = 123;
const RETRY_AFTER = /(?:^|; )retry-after=(\d{1,9})$/;

/**
 * A close reason that also asks the client to wait `retryAfterMs` before reconnecting: `reason;
 * retry-after=1500`. The hub sends one when it drains or refuses for load; {@link retryAfterOf} reads it.
 *
 * @example
 * socket.close(CloseCode.TRY_AGAIN_LATER, withRetryAfter('hub at capacity', 5000));
 */
export function withRetryAfter(reason: string, retryAfterMs: number): string {
  const hint = `retry-after=${Math.max(0, Math.round(retryAfterMs))}`;
  const room = MAX_REASON_BYTES - hint.length - 2;
  let text = reason;
  while (new TextEncoder().encode(text).length > room) text = text.slice(0, -1);
  return text ? `${text}; ${hint}` : hint;
}

/**
 * The retry-after hint of a close reason, in milliseconds, or `undefined` when it has none. A client
 * waits at least this long before its next attempt.
 *
 * @example
 * retryAfterOf('hub shutting down; retry-after=1500'); // 1500
 */
export function retryAfterOf(reason: string): number | undefined {
  const match = RETRY_AFTER.exec(reason);
  return match ? Number(match[1]) : undefined;
}
