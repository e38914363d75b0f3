import type { Cursor, CursorsOptions, GhostClient, PresenceMember, TopicHandler } from '@ghost/client';
import type { PresenceStateOf, SchemaDefinition, TopicDataOf, TopicNameOf } from '@ghost/protocol';
import { useCursors } from './cursors.js';
import { useOthers, usePresence, type PresenceSetter } from './presence.js';
import { useClient } from './provider.js';
import { useTopic } from './topic.js';

/** The hooks whose types come from the app's schema: what {@link createHooks} returns. */
export interface GhostHooks<S extends SchemaDefinition> {
  /** {@link useClient}, typed by the schema. */
  useClient(): GhostClient<S>;
  /** {@link usePresence}: your state in `room` and its setter (a state, or a function of the previous one). */
  usePresence(room: string): [state: PresenceStateOf<S> | undefined, setState: PresenceSetter<PresenceStateOf<S>>];
  /** {@link useOthers}: the other members of `room`. */
  useOthers(room: string): readonly PresenceMember<PresenceStateOf<S>>[];
  /** {@link useOthers}: what `select` returns of the other members of `room`. */
  useOthers<R>(room: string, select: (others: readonly PresenceMember<PresenceStateOf<S>>[]) => R): R;
  /** {@link useCursors}: the others' cursors over the element of `ref`. */
  useCursors(
    room: string,
    ref: { readonly current: Element | null },
    options?: Omit<CursorsOptions<PresenceStateOf<S>>, 'element'>,
  ): readonly Cursor<PresenceStateOf<S>>[];
  /** {@link useCursors}: what `select` returns of the others' cursors over the element of `ref`. */
  useCursors<R>(
    room: string,
    ref: { readonly current: Element | null },
    select: (cursors: readonly Cursor<PresenceStateOf<S>>[]) => R,
    options?: Omit<CursorsOptions<PresenceStateOf<S>>, 'element'>,
  ): R;
  /** {@link useTopic}: `handler` gets the topic's messages; returns its publish function. */
  useTopic<N extends TopicNameOf<S>>(name: N, handler?: TopicHandler<TopicDataOf<S, N>>): (data: TopicDataOf<S, N>) => Promise<void>;
}

/**
 * The hooks typed by your schema, the same one `createHub` and `createClient` take: presence state,
 * cursors and topic data get their types from it, without a generic. Call it once in a module of
 * your app and import the hooks from there. (`useStatus` and `useChat` need no schema.)
 *
 * @example
 * // src/ghost.ts
 * import { createHooks } from '@ghost/react';
 * import { schema } from '../shared/schema';
 * export const { usePresence, useOthers, useCursors, useTopic } = createHooks(schema);
 */
export function createHooks<const S extends SchemaDefinition>(schema?: S): GhostHooks<S> {
  void schema; // only its type is needed: the hub validates, the browser trusts it
  return { useClient, usePresence, useOthers, useCursors, useTopic } as unknown as GhostHooks<S>;
}
