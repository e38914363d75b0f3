import { describe, expect, it } from 'vitest';
import { LazyMap, LazySet } from '../src/lazy-collections.js';

describe('LazySet and LazyMap: what a connection keeps, without a table until the first entry', () => {
  it('LazySet answers as a Set does, empty and after adds and deletes', () => {
    const lazy = new LazySet<string>();
    const plain = new Set<string>();
    expect([...lazy]).toEqual([]);
    expect(lazy.has('a')).toBe(false);
    expect(lazy.delete('a')).toBe(false);
    for (const [op, value] of [['add', 'a'], ['add', 'b'], ['add', 'a'], ['delete', 'a'], ['delete', 'z'], ['add', 'c']] as const) {
      if (op === 'add') {
        lazy.add(value);
        plain.add(value);
      } else expect(lazy.delete(value)).toBe(plain.delete(value));
      expect(lazy.size).toBe(plain.size);
      expect([...lazy]).toEqual([...plain]);
      expect(lazy.has(value)).toBe(plain.has(value));
    }
  });

  it('LazyMap answers as a Map does, empty and after sets and deletes', () => {
    const lazy = new LazyMap<string, number | undefined>();
    const plain = new Map<string, number | undefined>();
    expect([...lazy.keys()]).toEqual([]);
    expect(lazy.get('a')).toBeUndefined();
    for (const [op, key, value] of [['set', 'a', 1], ['set', 'b', undefined], ['set', 'a', 2], ['delete', 'b', 0], ['delete', 'z', 0], ['set', 'c', 3]] as const) {
      if (op === 'set') {
        lazy.set(key, value);
        plain.set(key, value);
      } else expect(lazy.delete(key)).toBe(plain.delete(key));
      expect(lazy.size).toBe(plain.size);
      expect(lazy.has(key)).toBe(plain.has(key));
      expect(lazy.get(key)).toBe(plain.get(key));
      expect([...lazy.keys()]).toEqual([...plain.keys()]);
    }
  });
});
