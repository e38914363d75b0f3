import { describe, expect, it } from 'vitest';
import { clientMessageSchema, decodeClientMessage, ErrorCode, MAX_NAME_LENGTH } from '@ghost/protocol';

const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });

// presence.track skips zod when well-formed: whatever the path, the hub must decide as the schema does.
const frames: Record<string, unknown> = {
  plain: { type: 'presence.track', room: 'lobby', state: { x: 0.5, y: 0.25 } },
  'with a ref': { type: 'presence.track', room: 'lobby', state: { x: 1 }, ref: 7 },
  'an extra field': { type: 'presence.track', room: 'lobby', state: 1, extra: true },
  'null state': { type: 'presence.track', room: 'lobby', state: null },
  'array state': { type: 'presence.track', room: 'lobby', state: [1, [2, [3]]] },
  'string state': { type: 'presence.track', room: 'lobby', state: 'here' },
  'state 64 deep': { type: 'presence.track', room: 'lobby', state: nest(64) },
  'state 65 deep': { type: 'presence.track', room: 'lobby', state: nest(65) },
  'no state': { type: 'presence.track', room: 'lobby' },
  'no room': { type: 'presence.track', state: 1 },
  'room not a string': { type: 'presence.track', room: 5, state: 1 },
  'empty room': { type: 'presence.track', room: '', state: 1 },
  'room with a space': { type: 'presence.track', room: 'a b', state: 1 },
  'room at the length limit': { type: 'presence.track', room: 'r'.repeat(MAX_NAME_LENGTH), state: 1 },
  'room over the length limit': { type: 'presence.track', room: 'r'.repeat(MAX_NAME_LENGTH + 1), state: 1 },
  'negative ref': { type: 'presence.track', room: 'lobby', state: 1, ref: -1 },
  'fractional ref': { type: 'presence.track', room: 'lobby', state: 1, ref: 1.5 },
  'string ref': { type: 'presence.track', room: 'lobby', state: 1, ref: '3' },
  'null ref': { type: 'presence.track', room: 'lobby', state: 1, ref: null },
  'unsafe ref': { type: 'presence.track', room: 'lobby', state: 1, ref: 2 ** 53 },
};

describe('decoding presence.track (the hub’s hottest message)', () => {
  for (const [name, frame] of Object.entries(frames)) {
    it(`decides as its schema does: ${name}`, () => {
      const decoded = decodeClientMessage(JSON.stringify(frame));
      const schema = clientMessageSchema.safeParse(frame);
      expect(decoded.ok).toBe(schema.success);
      if (decoded.ok && schema.success) expect(decoded.message).toEqual(schema.data);
    });
  }

  it('words a refusal with the field and code a client can act on', () => {
    const badRoom = decodeClientMessage(JSON.stringify(frames['room with a space']));
    expect(badRoom).toMatchObject({ ok: false, code: ErrorCode.INVALID_NAME });
    const deep = decodeClientMessage(JSON.stringify({ ...(frames['state 65 deep'] as object), ref: 4 }));
    expect(deep).toMatchObject({ ok: false, code: ErrorCode.INVALID_PAYLOAD, ref: 4 });
    expect(deep.ok === false && deep.error).toMatch(/^presence\.track: state: /);
  });
});
