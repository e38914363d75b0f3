import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSchema } from '@ghost/protocol';

describe('defineSchema', () => {
  it('returns the same declaration, frozen', () => {
    const presence = z.object({ x: z.number(), y: z.number() });
    const schema = defineSchema({ presence, topics: { news: z.string() } });
    expect(schema.presence).toBe(presence);
    expect(Object.isFrozen(schema)).toBe(true);
  });

  it('refuses what is not a zod schema, saying where', () => {
    expect(() => defineSchema({ topics: { news: 'string' as never } })).toThrow(/topics\["news"\] must be a zod schema/);
    expect(() => defineSchema({ presence: {} as never })).toThrow(TypeError);
  });
});
