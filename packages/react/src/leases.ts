// Rooms, topics and cursors shared by every component that uses them, counted, and given back a task
// after the last one lets go: StrictMode's mount → unmount → mount, or a component moving in the
// tree, takes a room back before it is left, so other members see no leave and no second join.
import type { GhostClient } from '@ghost/client';

/** What one user of a shared resource holds. */
export interface Lease<V> {
  readonly value: V;
  /** Lets go; the resource closes a task after its last lease is released, unless taken again. */
  release(): void;
}

interface Held<V> {
  value: V;
  close: () => void;
  count: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The shared resources of one client, by key (`presence:lobby`, `topic:news`, …). */
export class Leases {
  private readonly held = new Map<string, Held<unknown>>();

  /** Whether `key` is open: taken, or released less than a task ago. */
  has(key: string): boolean {
    return this.held.has(key);
  }

  /** Takes `key`, opening it with `open` when nobody holds it. */
  take<V>(key: string, open: () => { value: V; close: () => void }): Lease<V> {
    let held = this.held.get(key) as Held<V> | undefined;
    if (!held) {
      held = { ...open(), count: 0, timer: undefined };
      this.held.set(key, held as Held<unknown>);
    }
    clearTimeout(held.timer);
    held.timer = undefined;
    held.count += 1;
    const taken = held;
    let released = false;
    return {
      value: taken.value,
      release: () => {
        if (released) return;
        released = true;
        taken.count -= 1;
        if (taken.count > 0) return;
        taken.timer = setTimeout(() => {
          if (taken.count > 0 || this.held.get(key) !== taken) return;
          this.held.delete(key);
          taken.close();
        }, 0);
      },
    };
  }
}

const byClient = new WeakMap<GhostClient<any>, Leases>();

/** The leases of `client`, made on first use. */
export function leasesOf(client: GhostClient<any>): Leases {
  let leases = byClient.get(client);
  if (!leases) byClient.set(client, (leases = new Leases()));
  return leases;
}

/** Holds the presence room `room`: others see you leave it once nothing holds it any more. */
export function takeRoom(client: GhostClient<any>, room: string): Lease<undefined> {
  return leasesOf(client).take(`presence:${room}`, () => ({ value: undefined, close: () => client.presence(room).leave() }));
}
