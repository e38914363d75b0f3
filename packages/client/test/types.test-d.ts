import { describe, expectTypeOf, it } from 'vitest';
import { createClient, type PresenceMember } from '@ghost/client';
import { createHub } from '@ghost/server';
import { schema, strictSchema } from '../../../test/fixtures/schema.js';

describe('types flow from one schema value', () => {
  it('types presence state, others and topic data on the client, without a generic', () => {
    const client = createClient('ws://localhost/ghost', { schema });
    const lobby = client.presence('lobby');
    expectTypeOf(lobby.track).parameter(0).toEqualTypeOf<{ x: number; y: number; name: string }>();
    expectTypeOf(lobby.others).toEqualTypeOf<readonly PresenceMember<{ x: number; y: number; name: string }>[]>();
    // @ts-expect-error: a wrong state is a compile error
    lobby.track({ x: 1, y: 2 });

    const build = client.topic('build:status');
    expectTypeOf(build.publish).parameter(0).toEqualTypeOf<{ ok: boolean; sha: string }>();
    build.subscribe((data) => expectTypeOf(data).toEqualTypeOf<{ ok: boolean; sha: string }>());
    // @ts-expect-error: a wrong payload is a compile error
    void build.publish({ ok: 'yes', sha: 'abc' });

    // Undeclared topics are unknown, never any.
    client.topic('anything').subscribe((data) => expectTypeOf(data).toEqualTypeOf<unknown>());
    client.on('broadcast', (data) => expectTypeOf(data).toEqualTypeOf<{ notice: string }>());
  });

  it('refuses undeclared topic names at compile time under a strict schema', () => {
    const client = createClient('ws://localhost/ghost', { schema: strictSchema });
    expectTypeOf(client.topic('scores').publish).parameter(0).toEqualTypeOf<number[]>();
    // @ts-expect-error: not declared, and the schema is strict
    client.topic('gossip');
  });

  it('without a schema every payload is unknown', () => {
    const client = createClient('ws://localhost/ghost');
    expectTypeOf(client.presence('lobby').others[0]!.state).toEqualTypeOf<unknown>();
    client.topic('x').subscribe((data) => expectTypeOf(data).toEqualTypeOf<unknown>());
  });

  it('types the hub side from the same schema', () => {
    const hub = createHub({ schema });
    expectTypeOf(hub.publish<'build:status'>).parameter(1).toEqualTypeOf<{ ok: boolean; sha: string }>();
    // @ts-expect-error: a wrong payload is a compile error on the hub too
    void hub.publish('build:status', { ok: 1 });
    // @ts-expect-error: broadcast data must match the schema
    void hub.broadcast({ note: 'x' });
  });
});
