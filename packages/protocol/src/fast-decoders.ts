import type { ClientMessage } from './client-messages.js';
import { isValidName, MAX_NAME_LENGTH } from './names.js';
import { MAX_DEPTH, withinDepth } from './primitives.js';

type TrackMessage = Extract<ClientMessage, { type: 'presence.track' }>;
type PublishMessage = Extract<ClientMessage, { type: 'topic.publish' }>;

// The two messages most of a hub's reading is made of (every cursor move, every publish) are checked
// here directly, without zod: the same rules as their schemas (a valid name, a JSON value that is
// present and nests at most MAX_DEPTH deep, an optional valid ref), the same message out (unknown
// fields dropped). Anything else returns undefined and goes through the schema, which words the refusal.

/** A well-formed `presence.track`, decided as its schema decides; undefined for the schema to word a refusal. */
export function decodeTrack(value: Record<string, unknown>): TrackMessage | undefined {
  const { room, state, ref } = value;
  if (!isName(room) || !isJsonValue(state)) return undefined;
  if (ref === undefined) return { type: 'presence.track', room, state };
  return isRef(ref) ? { type: 'presence.track', room, ref, state } : undefined;
}

/** A well-formed `topic.publish`, decided as its schema decides; undefined for the schema to word a refusal. */
export function decodePublish(value: Record<string, unknown>): PublishMessage | undefined {
  const { topic, data, ref } = value;
  if (!isName(topic) || !isJsonValue(data)) return undefined;
  if (ref === undefined) return { type: 'topic.publish', topic, data };
  return isRef(ref) ? { type: 'topic.publish', topic, ref, data } : undefined;
}

function isName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_NAME_LENGTH && isValidName(name);
}

function isJsonValue(value: unknown): boolean {
  return value !== undefined && withinDepth(value, MAX_DEPTH);
}

function isRef(ref: unknown): ref is number {
  return typeof ref === 'number' && Number.isSafeInteger(ref) && ref >= 0;
}
