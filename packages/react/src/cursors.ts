import { useMemo } from 'react';
import type { Cursor, GhostClient } from '@ghost/client';
import { leasesOf, takeRoom, type Lease } from './leases.js';
import { useClient } from './provider.js';
import { everything, useSelected } from './use-selected.js';

const NONE: readonly Cursor<never>[] = Object.freeze([]);

/** One `client.cursors` per room and element, shared by every component that shows its cursors. */
interface Shared {
  list: readonly Cursor[];
  readonly listeners: Set<() => void>;
}

const elementIds = new WeakMap<Element, number>();
let nextElementId = 1;

function takeCursors(client: GhostClient, room: string, element: Element): Lease<Shared> {
  let id = elementIds.get(element);
  if (id === undefined) elementIds.set(element, (id = nextElementId++));
  return leasesOf(client).take(`cursors:${room}:${id}`, () => {
    const roomLease = takeRoom(client, room);
    const cursors = client.cursors(room, { element });
    const shared: Shared = { list: cursors.others, listeners: new Set() };
    cursors.on('change', (list) => {
      shared.list = list;
      for (const listener of [...shared.listeners]) listener();
    });
    return {
      value: shared,
      close: () => {
        cursors.destroy();
        roomLease.release();
      },
    };
  });
}

function cursorsStore(client: GhostClient, room: string, ref: { readonly current: Element | null }) {
  let lease: Lease<Shared> | undefined;
  return {
    subscribe(onChange: () => void): () => void {
      const element = ref.current;
      if (!element) {
        throw new TypeError(`useCursors('${room}', ref): ref.current is empty after mount; pass the ref of the element the pointer moves over (<div ref={ref}>), rendered with the component`);
      }
      const mine = takeCursors(client, room, element);
      lease = mine;
      mine.value.listeners.add(onChange);
      return () => {
        mine.value.listeners.delete(onChange);
        mine.release();
        if (lease === mine) lease = undefined;
      };
    },
    getSnapshot: (): readonly Cursor[] => lease?.value.list ?? NONE,
  };
}

/**
 * Live cursors over the element of `ref` in the presence room `room` (browser only): your pointer
 * over it is tracked, and you get the others' cursors, smoothed, as fractions (0..1) of the element.
 * With `select`, what it returns: the component re-renders only when that changes, so a board can
 * select the ids and each cursor its own position, and a moving cursor re-renders only itself.
 * Components passing the same room and ref share one `client.cursors`.
 *
 * @example
 * const board = useRef<HTMLDivElement>(null);
 * const ids = useCursors('lobby', board, (cursors) => cursors.map((c) => c.id));
 * // in each <Ghost id={id} />:
 * const cursor = useCursors('lobby', board, (cursors) => cursors.find((c) => c.id === id));
 */
export function useCursors(room: string, ref: { readonly current: Element | null }): readonly Cursor[];
export function useCursors<R>(room: string, ref: { readonly current: Element | null }, select: (cursors: readonly Cursor[]) => R): R;
export function useCursors(room: string, ref: { readonly current: Element | null }, select: (cursors: readonly Cursor[]) => unknown = everything): unknown {
  const client = useClient();
  const store = useMemo(() => cursorsStore(client, room, ref), [client, room, ref]);
  return useSelected(store.subscribe, store.getSnapshot, select);
}
