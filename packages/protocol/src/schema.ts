import type { z } from 'zod';

/**
 * What an app declares once and imports on both halves: the shape of presence state and of each
 * topic's data. The hub validates against it; the client infers its types from it.
 */
export interface SchemaDefinition {
  /** Shape of the state a member tracks in any presence room. */
  presence?: z.ZodType;
  /** Shape of the data of each named topic. */
  topics?: Record<string, z.ZodType>;
  /** Shape of `hub.broadcast` data. */
  broadcast?: z.ZodType;
  /** Shape of `hub.sendTo` data. */
  direct?: z.ZodType;
  /** When true, topics not named in `topics` are refused (`FORBIDDEN` on the hub, a type error on the client). */
  strict?: boolean;
}

/**
 * Declares the app's schema: one value that both the hub and the client import.
 *
 * @example
 * export const schema = defineSchema({
 *   presence: z.object({ x: z.number(), y: z.number() }),
 *   topics: { 'build:status': z.object({ ok: z.boolean(), sha: z.string() }) },
 * });
 */
export function defineSchema<const S extends SchemaDefinition>(schema: S): S {
  if (typeof schema !== 'object' || schema === null) {
    throw new TypeError('defineSchema(schema): pass an object such as { presence: z.object({ x: z.number(), y: z.number() }) }');
  }
  for (const [name, value] of Object.entries(schema.topics ?? {})) {
    if (!isZodLike(value)) throw new TypeError(`defineSchema: topics[${JSON.stringify(name)}] must be a zod schema`);
  }
  for (const key of ['presence', 'broadcast', 'direct'] as const) {
    if (schema[key] !== undefined && !isZodLike(schema[key])) throw new TypeError(`defineSchema: ${key} must be a zod schema`);
  }
  return Object.freeze(schema);
}

function isZodLike(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function';
}

type Out<T> = T extends z.ZodType ? z.output<T> : unknown;

/** The presence state type a schema declares, or `unknown`. */
export type PresenceStateOf<S> = S extends { presence: infer P } ? Out<P> : unknown;
/** The data type of topic `N` under schema `S`, or `unknown` when the topic is not declared. */
export type TopicDataOf<S, N extends string> = S extends { topics: infer T }
  ? N extends keyof T ? Out<T[N]> : unknown
  : unknown;
/** The topic names a schema allows: only the declared ones when `strict`, any string otherwise. */
export type TopicNameOf<S> = S extends { strict: true; topics: infer T } ? Extract<keyof T, string> : string;
/** The `hub.broadcast` data type a schema declares, or `unknown`. */
export type BroadcastDataOf<S> = S extends { broadcast: infer B } ? Out<B> : unknown;
/** The `hub.sendTo` data type a schema declares, or `unknown`. */
export type DirectDataOf<S> = S extends { direct: infer D } ? Out<D> : unknown;
