import { describe, expect, it } from 'vitest';
import {
  CloseCode, ErrorCode, GhostError, MAX_NAME_LENGTH, PROTOCOL_VERSION, closeReaction, describeInvalidName, isErrorCode,
  isRetryable, isValidName, retryAfterOf, shouldReconnect, withRetryAfter,
} from '@ghost/protocol';

describe('close codes', () => {
  it('tells the client to stop after a refusal and to come back after a drop', () => {
    expect(shouldReconnect(CloseCode.UNAUTHORIZED)).toBe(false);
    expect(shouldReconnect(CloseCode.VERSION_MISMATCH)).toBe(false);
    expect(shouldReconnect(CloseCode.NORMAL)).toBe(false);
    expect(shouldReconnect(CloseCode.GOING_AWAY)).toBe(true);
    expect(shouldReconnect(CloseCode.ABNORMAL)).toBe(true);
    expect(shouldReconnect(CloseCode.TOO_LARGE)).toBe(true);
    expect(shouldReconnect(CloseCode.HEARTBEAT_TIMEOUT)).toBe(true);
    expect(closeReaction(CloseCode.SESSION_EXPIRED)).toBe('reauthenticate');
    expect(closeReaction(4042)).toBe('stop');
    expect(closeReaction(4250)).toBe('retry');
  });

  it('carry a retry-after hint in the reason that survives a reason too long for a close frame', () => {
    expect(withRetryAfter('hub shutting down', 1500)).toBe('hub shutting down; retry-after=1500');
    expect(retryAfterOf(withRetryAfter('hub shutting down', 1500))).toBe(1500);
    expect(retryAfterOf(withRetryAfter('', 0))).toBe(0);
    const long = withRetryAfter('é'.repeat(200), 2500);
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(123);
    expect(retryAfterOf(long)).toBe(2500);
    expect(retryAfterOf('too slow: send buffer full')).toBeUndefined();
    expect(retryAfterOf('retry-after=soon')).toBeUndefined();
  });
});

describe('error codes', () => {
  it('are the exact strings on the wire, with retryability', () => {
    for (const [key, value] of Object.entries(ErrorCode)) expect(key).toBe(value);
    expect(isRetryable(ErrorCode.RATE_LIMITED)).toBe(true);
    expect(isRetryable(ErrorCode.INVALID_PAYLOAD)).toBe(false);
    expect(isErrorCode('NAME_TAKEN')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('GhostError carries its code and cause', () => {
    const cause = new Error('redis down');
    const error = new GhostError(ErrorCode.INTERNAL, 'failed', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('GhostError');
    expect(error.code).toBe('INTERNAL');
    expect(error.cause).toBe(cause);
  });
});

describe('names', () => {
  it('allows channel-safe names only', () => {
    expect(isValidName('world')).toBe(true);
    expect(isValidName('rooms/fishing:2024')).toBe(true);
    expect(isValidName('a'.repeat(MAX_NAME_LENGTH))).toBe(true);
    expect(isValidName('a'.repeat(MAX_NAME_LENGTH + 1))).toBe(false);
    expect(isValidName('')).toBe(false);
    expect(isValidName('two words')).toBe(false);
    expect(isValidName('naïve')).toBe(false);
    // Braces would cut the Redis Cluster hash tag the hub wraps a name in.
    expect(isValidName('{lobby}')).toBe(false);
    expect(isValidName('a}b')).toBe(false);
    expect(isValidName(42)).toBe(false);
    expect(describeInvalidName('topic', 'a b')).toContain('Invalid topic name "a b"');
  });

  it('has a protocol version', () => {
    expect(PROTOCOL_VERSION).toBe(2);
  });
});
