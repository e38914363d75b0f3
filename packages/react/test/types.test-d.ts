import { describe, expectTypeOf, it } from 'vitest';
import type { Cursor, PresenceMember } from '@ghost/client';
import { createHooks, useOthers, usePresence, useTopic } from '@ghost/react';
import { schema, strictSchema } from '../../../test/fixtures/schema.js';

type State = { x: number; y: number; name: string };

describe('hook types flow from one schema value', () => {
  it('types presence, others, cursors and topics by the schema, without a generic', () => {
    const ghost = createHooks(schema);
    const [me, setMe] = ghost.usePresence('lobby');
    expectTypeOf(me).toEqualTypeOf<State | undefined>();
    setMe({ x: 1, y: 2, name: 'Ada' });
    setMe((previous) => ({ x: previous?.x ?? 0, y: 2, name: 'Ada' }));
    // @ts-expect-error: a wrong state is a compile error
    setMe({ x: 1 });
    expectTypeOf(ghost.useOthers('lobby')).toEqualTypeOf<readonly PresenceMember<State>[]>();
    expectTypeOf(ghost.useOthers('lobby', (others) => others.map((m) => m.state.name))).toEqualTypeOf<string[]>();
    const board = { current: null as HTMLDivElement | null };
    expectTypeOf(ghost.useCursors('lobby', board)).toEqualTypeOf<readonly Cursor<State>[]>();
    expectTypeOf(ghost.useCursors('lobby', board, (cursors) => cursors.length)).toEqualTypeOf<number>();
    // The options of client.cursors but the element: `state` gives the fields besides x and y.
    expectTypeOf(ghost.useCursors('lobby', board, { interpolate: false, state: () => ({ name: 'Ada' }) })).toEqualTypeOf<readonly Cursor<State>[]>();
    expectTypeOf(ghost.useCursors('lobby', board, (cursors) => cursors.length, { interpolate: false })).toEqualTypeOf<number>();
    // @ts-expect-error: the ref gives the element
    ghost.useCursors('lobby', board, { element: document.body });
    const publish = ghost.useTopic('build:status', (data) => expectTypeOf(data).toEqualTypeOf<{ ok: boolean; sha: string }>());
    expectTypeOf(publish).parameter(0).toEqualTypeOf<{ ok: boolean; sha: string }>();
    // Undeclared topics are unknown, never any.
    ghost.useTopic('anything', (data) => expectTypeOf(data).toEqualTypeOf<unknown>());
  });

  it('refuses undeclared topic names under a strict schema', () => {
    const ghost = createHooks(strictSchema);
    expectTypeOf(ghost.useTopic('scores')).parameter(0).toEqualTypeOf<number[]>();
    // @ts-expect-error: not declared, and the schema is strict
    ghost.useTopic('gossip');
  });

  it('without a schema every payload is unknown', () => {
    expectTypeOf(usePresence('lobby')[0]).toEqualTypeOf<unknown>();
    expectTypeOf(useOthers('lobby')).toEqualTypeOf<readonly PresenceMember[]>();
    useTopic('x', (data) => expectTypeOf(data).toEqualTypeOf<unknown>());
  });
});
