import { describe, expect, it } from 'vitest';
import { clientMessageSchema, decodeClientMessage, ErrorCode, MAX_NAME_LENGTH } from '@ghost/protocol';

const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });

// presence.track and topic.publish skip zod when well-formed: whatever the path, the hub must decide
// as the schema does. Each case is written once for a message's name field and value field.
const cases = (name: string, value: string): Record<string, Record<string, unknown>> => ({
  plain: { [name]: 'lobby', [value]: { x: 0.5, y: 0.25 } },
  'with a ref': { [name]: 'lobby', [value]: { x: 1 }, ref: 7 },
  'ref 0': { [name]: 'lobby', [value]: 1, ref: 0 },
  'an extra field': { [name]: 'lobby', [value]: 1, extra: true },
  'null value': { [name]: 'lobby', [value]: null },
  'array value': { [name]: 'lobby', [value]: [1, [2, [3]]] },
  'string value': { [name]: 'lobby', [value]: 'here' },
  'value 64 deep': { [name]: 'lobby', [value]: nest(64) },
  'value 65 deep': { [name]: 'lobby', [value]: nest(65) },
  'no value': { [name]: 'lobby' },
  'no name': { [value]: 1 },
  'name not a string': { [name]: 5, [value]: 1 },
  'empty name': { [name]: '', [value]: 1 },
  'name with a space': { [name]: 'a b', [value]: 1 },
  'name at the length limit': { [name]: 'r'.repeat(MAX_NAME_LENGTH), [value]: 1 },
  'name over the length limit': { [name]: 'r'.repeat(MAX_NAME_LENGTH + 1), [value]: 1 },
  'negative ref': { [name]: 'lobby', [value]: 1, ref: -1 },
  'fractional ref': { [name]: 'lobby', [value]: 1, ref: 1.5 },
  'string ref': { [name]: 'lobby', [value]: 1, ref: '3' },
  'null ref': { [name]: 'lobby', [value]: 1, ref: null },
  'unsafe ref': { [name]: 'lobby', [value]: 1, ref: 2 ** 53 },
});

const messages = [
  { type: 'presence.track', name: 'room', value: 'state' },
  { type: 'topic.publish', name: 'topic', value: 'data' },
] as const;

for (const { type, name, value } of messages) {
  describe(`decoding ${type} (a hot message, read without zod)`, () => {
    for (const [label, fields] of Object.entries(cases(name, value))) {
      it(`decides as its schema does: ${label}`, () => {
        const frame = { type, ...fields };
        const decoded = decodeClientMessage(JSON.stringify(frame));
        const schema = clientMessageSchema.safeParse(frame);
        expect(decoded.ok).toBe(schema.success);
        if (decoded.ok && schema.success) expect(decoded.message).toEqual(schema.data);
      });
    }

    it('words a refusal with the field and code a client can act on', () => {
      const badName = decodeClientMessage(JSON.stringify({ type, [name]: 'a b', [value]: 1 }));
      expect(badName).toMatchObject({ ok: false, code: ErrorCode.INVALID_NAME });
      const deep = decodeClientMessage(JSON.stringify({ type, [name]: 'lobby', [value]: nest(65), ref: 4 }));
      expect(deep).toMatchObject({ ok: false, code: ErrorCode.INVALID_PAYLOAD, ref: 4 });
      expect(deep.ok === false && deep.error).toMatch(new RegExp(`^${type.replace('.', '\\.')}: ${value}: `));
    });
  });
}
