import { useCallback, useMemo } from 'react';
import type { GhostClient, PresenceHandle, PresenceMember } from '@ghost/client';
import { leasesOf, takeRoom } from './leases.js';
import { useClient } from './provider.js';
import { everything, useSelected } from './use-selected.js';

const NOBODY: readonly PresenceMember<never>[] = Object.freeze([]);

interface RoomStore {
  subscribeOthers(onChange: () => void): () => void;
  getOthers(): readonly PresenceMember[];
  subscribeState(onChange: () => void): () => void;
  getState(): unknown;
}

// One store per room handle, so its functions keep their identity across renders and components.
const stores = new WeakMap<PresenceHandle, RoomStore>();

function roomStore(client: GhostClient, room: string): RoomStore {
  const presence = client.presence(room);
  let store = stores.get(presence);
  if (store) return store;
  const listen = (event: 'change' | 'self') => (onChange: () => void) => {
    const lease = takeRoom(client, room);
    const off = presence.on(event, onChange);
    return () => {
      off();
      lease.release();
    };
  };
  store = {
    subscribeOthers: listen('change'),
    // Reading `others` joins the room: not while rendering a component that has not mounted yet.
    getOthers: () => (leasesOf(client).has(`presence:${room}`) ? presence.others : NOBODY),
    subscribeState: listen('self'),
    getState: () => presence.state,
  };
  stores.set(presence, store);
  return store;
}

/**
 * Sets your state in a presence room: a new state, or a function of the previous one (`undefined`
 * while you do not track), as with `useState`.
 */
export interface PresenceSetter<T> {
  /** Tracks what `update` makes of your previous state. */
  (update: (previous: T | undefined) => T): void;
  /** Tracks `state`. */
  (state: T): void;
}

/**
 * Your state in the presence room `room`, and its setter, like `useState`: setting it tracks it
 * (others see you join, then move). The room is joined while a component uses it and left a task
 * after the last one unmounts; StrictMode's double mount joins it once.
 *
 * @example
 * const [me, setMe] = usePresence('lobby');
 * return <button onClick={() => setMe({ status: 'away' })}>{me === undefined ? 'Join' : 'Away'}</button>;
 */
export function usePresence(room: string): [state: unknown, setState: PresenceSetter<unknown>] {
  const client = useClient();
  const store = roomStore(client, room);
  const state = useSelected(store.subscribeState, store.getState, everything);
  const setState = useCallback<PresenceSetter<unknown>>(
    (next: unknown) => {
      const presence = client.presence(room);
      presence.track(typeof next === 'function' ? (next as (previous: unknown) => unknown)(presence.state) : next);
    },
    [client, room],
  );
  return useMemo(() => [state, setState], [state, setState]);
}

/**
 * The other members of the presence room `room`, in join order, never you. With `select`, what it
 * returns: the component re-renders only when that changes (compared item by item, so a selector
 * may build a new array or object each time).
 *
 * @example
 * const others = useOthers('lobby');                                  // every change
 * const count = useOthers('lobby', (others) => others.length);        // joins and leaves only
 * const names = useOthers('lobby', (others) => others.map((m) => m.id));
 */
export function useOthers(room: string): readonly PresenceMember[];
export function useOthers<R>(room: string, select: (others: readonly PresenceMember[]) => R): R;
export function useOthers(room: string, select: (others: readonly PresenceMember[]) => unknown = everything): unknown {
  const store = roomStore(useClient(), room);
  return useSelected(store.subscribeOthers, store.getOthers, select);
}
