// What a connection keeps per topic, room, chat, authorize decision and remembered result, most
// connections never fill: an idle one held five empty Sets and Maps, ≈ 170 bytes each with their hash
// tables, about a third of what the hub adds to ws's own per-socket memory. These make the table on
// the first entry.

/** A Set whose table is made on the first `add`: empty, it costs one small object. */
export class LazySet<T> implements Iterable<T> {
  private set: Set<T> | undefined;

  get size(): number {
    return this.set?.size ?? 0;
  }

  has(value: T): boolean {
    return this.set?.has(value) ?? false;
  }

  add(value: T): this {
    (this.set ??= new Set()).add(value);
    return this;
  }

  delete(value: T): boolean {
    return this.set?.delete(value) ?? false;
  }

  [Symbol.iterator](): IterableIterator<T> {
    return (this.set ?? NO_VALUES).values() as IterableIterator<T>;
  }
}

/** A Map whose table is made on the first `set`: empty, it costs one small object. */
export class LazyMap<K, V> {
  private map: Map<K, V> | undefined;

  get size(): number {
    return this.map?.size ?? 0;
  }

  has(key: K): boolean {
    return this.map?.has(key) ?? false;
  }

  get(key: K): V | undefined {
    return this.map?.get(key);
  }

  set(key: K, value: V): this {
    (this.map ??= new Map()).set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.map?.delete(key) ?? false;
  }

  keys(): IterableIterator<K> {
    return (this.map ?? NO_ENTRIES).keys() as IterableIterator<K>;
  }
}

// Read-only by use: nothing adds to them (the classes above only read them while empty).
const NO_VALUES: ReadonlySet<never> = new Set<never>();
const NO_ENTRIES: ReadonlyMap<never, never> = new Map<never, never>();
