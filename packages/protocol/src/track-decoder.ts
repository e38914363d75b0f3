import type { ClientMessage } from './client-messages.js';
import { isValidName, MAX_NAME_LENGTH } from './names.js';
import { MAX_DEPTH, withinDepth } from './primitives.js';

type TrackMessage = Extract<ClientMessage, { type: 'presence.track' }>;

/**
 * `presence.track` is most of what a hub reads (every cursor move), so a well-formed one is checked
 * here directly, without zod: the same rules as its schema (a valid room name, a state that is present
 * and nests at most {@link MAX_DEPTH} deep, an optional valid ref), the same message out (unknown
 * fields dropped). Anything else returns undefined and goes through the schema, which words the refusal.
 */
export function decodeTrack(value: Record<string, unknown>): TrackMessage | undefined {
  const { room, state, ref } = value;
  if (typeof room !== 'string' || room.length > MAX_NAME_LENGTH || !isValidName(room)) return undefined;
  if (state === undefined || !withinDepth(state, MAX_DEPTH)) return undefined;
  if (ref === undefined) return { type: 'presence.track', room, state };
  if (typeof ref !== 'number' || !Number.isSafeInteger(ref) || ref < 0) return undefined;
  return { type: 'presence.track', room, ref, state };
}
