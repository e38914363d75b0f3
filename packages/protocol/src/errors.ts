/**
 * Error codes, the same strings on the wire (`{ type: 'error', code }`), in {@link GhostError.code} and
 * in the docs. Each line says who sends it and whether sending the same thing again can help.
 */
export const ErrorCode = {
  /** Hub: the frame was not a JSON object with a string `type` (binary, invalid JSON). Retry: no. */
  BAD_FRAME: 'BAD_FRAME',
  /** Hub: the message `type` is not one this protocol version knows. Retry: no. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** Hub: a field is missing or has the wrong shape, or a payload failed the app's schema. Retry: no. */
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  /** Hub or client: a topic or room name is empty, too long or has characters outside the allowed set. Retry: no. */
  INVALID_NAME: 'INVALID_NAME',
  /** Hub: a chat message was sent before `identify` claimed a name in that room. Retry: after identifying. */
  NOT_IDENTIFIED: 'NOT_IDENTIFIED',
  /** Hub: the chat name is held by someone else in that room. Retry: with another name, or later. */
  NAME_TAKEN: 'NAME_TAKEN',
  /** Hub: a frame, presence state or chat text is over its size limit. Retry: no, make it smaller. */
  TOO_LARGE: 'TOO_LARGE',
  /** Hub: the connection sends faster than its limit; the message was dropped. Retry: yes, later. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Hub (as a close code) or client: `authenticate` refused the connection. Retry: with new credentials. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Hub: the user may not do this to that topic or room. Retry: no. */
  FORBIDDEN: 'FORBIDDEN',
  /** Hub (as a close code): client and hub speak different protocol versions. Retry: no, upgrade. */
  VERSION_MISMATCH: 'VERSION_MISMATCH',
  /** Hub: something failed on the hub's side (an adapter, a hook). Client: a listener or `params()` threw. Retry: yes. */
  INTERNAL: 'INTERNAL',
  /** Client: the client was closed, or its outbox was full, before the message could be sent. Retry: yes, once open. */
  NOT_SENT: 'NOT_SENT',
  /**
   * Client: a connection attempt failed before the hub's welcome (nothing listens at the address, the
   * upgrade was refused over HTTP, the socket closed, or no welcome came within `connectTimeoutMs`).
   * Reported once per outage, on the `error` event and with the `reconnecting` status. Retry: the
   * client keeps retrying by itself, with backoff.
   */
  UNREACHABLE: 'UNREACHABLE',
} as const;

/** One of the {@link ErrorCode} strings. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const RETRYABLE: ReadonlySet<string> = new Set<ErrorCode>(['RATE_LIMITED', 'INTERNAL', 'NOT_SENT', 'UNREACHABLE']);

/** Whether sending the same message again, later, may succeed. */
export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** Whether `value` is one of the {@link ErrorCode} strings. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ErrorCode, value);
}

/**
 * The one error class of Ghost, on both halves: promises of the client reject with it, and the hub's
 * `error` frames carry its `code` and `message`.
 */
export class GhostError extends Error {
  /** Always `'GhostError'`, as error reporters show it. */
  override readonly name = 'GhostError';
  /** One of the {@link ErrorCode} strings. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
