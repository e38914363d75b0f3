import { useEffect, useMemo, useRef, useState } from 'react';
import type { Cursor, CursorsOptions, GhostClient } from '@ghost/client';
import { leasesOf, takeRoom, type Lease } from './leases.js';
import { useClient } from './provider.js';
import { everything, useSelected } from './use-selected.js';

const NONE: readonly Cursor<never>[] = Object.freeze([]);

/** What `useCursors` takes of `client.cursors`' options: all but the element, which the ref gives. */
type HookOptions = Omit<CursorsOptions, 'element'>;

/** One `client.cursors` per room and element, shared by every component that shows its cursors. */
interface Shared {
  list: readonly Cursor[];
  readonly listeners: Set<() => void>;
  /** Fixed when it opens: the helper smooths from its first frame on. */
  readonly interpolate: boolean;
  /** The `state` option of the component that gave one last; read at each send. */
  state: (() => unknown) | undefined;
}

const elementIds = new WeakMap<Element, number>();
let nextElementId = 1;

function takeCursors(client: GhostClient, room: string, element: Element, interpolate: boolean): Lease<Shared> {
  let id = elementIds.get(element);
  if (id === undefined) elementIds.set(element, (id = nextElementId++));
  return leasesOf(client).take(`cursors:${room}:${id}`, () => {
    const roomLease = takeRoom(client, room);
    const shared: Shared = { list: NONE, listeners: new Set(), interpolate, state: undefined };
    const cursors = client.cursors(room, {
      element,
      interpolate,
      state: () => (shared.state?.() ?? {}) as Record<string, unknown>,
    });
    shared.list = cursors.others;
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

function cursorsStore(client: GhostClient, room: string, element: Element | null, options: { readonly current: HookOptions | undefined }) {
  let lease: Lease<Shared> | undefined;
  return {
    subscribe(onChange: () => void): () => void {
      // No element yet (a board rendered later): no cursors, and the room is not joined.
      if (!element) return () => {};
      const given = options.current?.interpolate;
      const mine = takeCursors(client, room, element, given ?? true);
      if (given !== undefined && given !== mine.value.interpolate) {
        mine.release();
        throw new TypeError(
          `useCursors('${room}', ref, …): interpolate: ${given} here, but the components sharing this room and element opened it with interpolate: ${mine.value.interpolate}; give every one of them the same options`,
        );
      }
      lease = mine;
      const state = () => options.current?.state?.();
      if (options.current?.state) mine.value.state = state;
      mine.value.listeners.add(onChange);
      return () => {
        mine.value.listeners.delete(onChange);
        if (mine.value.state === state) mine.value.state = undefined;
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
 *
 * `options` are those of `client.cursors` but the element: `interpolate: false` gives the positions
 * as they arrive, `state` adds fields to yours (read at each send, from the latest render).
 * Components passing the same room and ref share one `client.cursors`; give the options where the
 * element is rendered, or the same ones everywhere (another `interpolate` throws a `TypeError`).
 *
 * The ref may be attached after the first render (a board shown later): the hook reads it after
 * each render of its component, and until it points at an element there are no cursors and the
 * room is not joined. Detaching it (the board hidden again) leaves the room.
 *
 * @example
 * const board = useRef<HTMLDivElement>(null);
 * const ids = useCursors('lobby', board, (cursors) => cursors.map((c) => c.id), { state: () => ({ name }) });
 * // in each <Ghost id={id} />:
 * const cursor = useCursors('lobby', board, (cursors) => cursors.find((c) => c.id === id));
 */
export function useCursors(room: string, ref: { readonly current: Element | null }, options?: Omit<CursorsOptions, 'element'>): readonly Cursor[];
export function useCursors<R>(
  room: string,
  ref: { readonly current: Element | null },
  select: (cursors: readonly Cursor[]) => R,
  options?: Omit<CursorsOptions, 'element'>,
): R;
export function useCursors(
  room: string,
  ref: { readonly current: Element | null },
  selectOrOptions?: ((cursors: readonly Cursor[]) => unknown) | HookOptions,
  maybeOptions?: HookOptions,
): unknown {
  const client = useClient();
  const select = typeof selectOrOptions === 'function' ? selectOrOptions : everything;
  const options = useRef<HookOptions | undefined>(undefined);
  options.current = typeof selectOrOptions === 'function' ? maybeOptions : selectOrOptions;
  // The element, read again after every commit of this component: a ref filled (or emptied) by
  // this commit is picked up by it. A ref on an element rendered by a child that re-renders alone
  // is seen at this component's next render.
  const [element, setElement] = useState<Element | null>(() => ref.current);
  useEffect(() => {
    if (ref.current !== element) setElement(ref.current);
  });
  const store = useMemo(() => cursorsStore(client, room, element, options), [client, room, element]);
  return useSelected(store.subscribe, store.getSnapshot, select);
}
