import { describe, expect, it } from 'vitest';
import {
  ErrorCode, chatMessageSchema, clientMessageSchema, decodeClientMessage, decodeServerMessage, encode, leaveReasonSchema,
  memberSchema, parseFrame, serverMessageSchema,
} from '@ghost/protocol';

describe('decodeClientMessage', () => {
  it('accepts every well-formed message and returns it typed', () => {
    const result = decodeClientMessage('{"type":"topic.publish","topic":"world","data":{"n":1},"ref":7}');
    expect(result).toEqual({ ok: true, message: { type: 'topic.publish', topic: 'world', data: { n: 1 }, ref: 7 } });
  });

  it.each([
    ['not json', ErrorCode.BAD_FRAME],
    ['[1,2]', ErrorCode.BAD_FRAME],
    ['null', ErrorCode.BAD_FRAME],
    ['"text"', ErrorCode.BAD_FRAME],
    ['{"topic":"x"}', ErrorCode.BAD_FRAME],
    ['{"type":42}', ErrorCode.BAD_FRAME],
    ['{"type":"topic.explode","topic":"x"}', ErrorCode.UNKNOWN_TYPE],
    ['{"type":"__proto__"}', ErrorCode.UNKNOWN_TYPE],
    ['{"type":"constructor"}', ErrorCode.UNKNOWN_TYPE],
    ['{"type":"topic.subscribe"}', ErrorCode.INVALID_NAME],
    ['{"type":"topic.subscribe","topic":"two words"}', ErrorCode.INVALID_NAME],
    ['{"type":"presence.join","room":""}', ErrorCode.INVALID_NAME],
    ['{"type":"topic.publish","topic":"world"}', ErrorCode.INVALID_PAYLOAD],
    ['{"type":"topic.subscribe","topic":"world","ref":-1}', ErrorCode.INVALID_PAYLOAD],
    ['{"type":"chat.send","room":"fishing","text":5}', ErrorCode.INVALID_PAYLOAD],
  ])('refuses %s with %s and never throws', (frame, code) => {
    const result = decodeClientMessage(frame);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe(code);
      expect(result.error.length).toBeGreaterThan(0);
    }
  });

  it('keeps the ref of a refused message so the error can name the request', () => {
    const result = decodeClientMessage('{"type":"topic.publish","topic":"bad name","data":1,"ref":12}');
    expect(result).toMatchObject({ ok: false, code: ErrorCode.INVALID_NAME, ref: 12 });
  });

  it('does not let a __proto__ key pollute Object.prototype', () => {
    const result = decodeClientMessage('{"type":"topic.publish","topic":"x","data":{"__proto__":{"polluted":true}}}');
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('encode / decodeServerMessage', () => {
  it('round-trips a presence diff', () => {
    const diff = {
      type: 'presence.diff' as const,
      room: 'lobby',
      joins: [{ id: 'abc', color: 'hsl(1 75% 45%)', state: { x: 1 } }],
      updates: [{ id: 'def', state: { x: 2 } }],
      leaves: [{ id: 'ghi', reason: 'timeout' as const }],
    };
    expect(decodeServerMessage(encode(diff))).toEqual({ ok: true, message: diff });
  });

  it('accepts a diff that leaves out its empty lists', () => {
    expect(decodeServerMessage('{"type":"presence.diff","room":"lobby","updates":[{"id":"a","state":1}]}').ok).toBe(true);
  });

  it('refuses a server message with an unknown leave reason', () => {
    const bad = '{"type":"presence.diff","room":"lobby","joins":[],"updates":[],"leaves":[{"id":"a","reason":"vanished"}]}';
    expect(decodeServerMessage(bad).ok).toBe(false);
  });
});

describe('parseFrame', () => {
  it('extracts type and a valid ref without checking the rest', () => {
    expect(parseFrame('{"type":"whatever","ref":3,"x":1}')).toMatchObject({ ok: true, ref: 3, value: { type: 'whatever', x: 1 } });
    expect(parseFrame('{"type":"whatever","ref":1.5}')).toMatchObject({ ok: true, ref: undefined });
  });
});

describe('the exported union schemas', () => {
  it('validate whole messages for tools that hold parsed JSON already', () => {
    expect(clientMessageSchema.safeParse({ type: 'presence.track', room: 'lobby', state: { x: 1 } }).success).toBe(true);
    expect(clientMessageSchema.safeParse({ type: 'presence.track', room: 'lobby' }).success).toBe(false);
    expect(serverMessageSchema.safeParse({ type: 'ping' }).success).toBe(true);
    expect(memberSchema.safeParse({ id: 'a', color: 'red', state: null }).success).toBe(true);
    expect(leaveReasonSchema.options).toEqual(['left', 'disconnected', 'timeout', 'node-down']);
    const message = { id: 'm1', seq: 1, user: 'fishing_beast_5000', userId: 'c1', text: 'hi', ts: 1652997756000 };
    expect(chatMessageSchema.parse(message)).toEqual(message);
  });
});

describe('deep nesting', () => {
  it('refuses data nested deeper than MAX_DEPTH with INVALID_PAYLOAD instead of overflowing later', () => {
    const nest = (depth: number) => `{"type":"topic.publish","topic":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(decodeClientMessage(nest(64)).ok).toBe(true);
    expect(decodeClientMessage(nest(65))).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
    expect(decodeClientMessage(nest(100_000))).toMatchObject({ ok: false, code: 'INVALID_PAYLOAD' });
  });
});
