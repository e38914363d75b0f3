import { z } from 'zod';
import { isValidName, MAX_NAME_LENGTH } from './names.js';

/** A topic, presence room or chat room name (see {@link isValidName}). */
export const nameSchema = z
  .string()
  .max(MAX_NAME_LENGTH)
  .refine(isValidName, { message: 'invalid name' });

/**
 * A client-chosen request number, echoed by the hub's `ack` or `error`, so the client can settle the
 * promise of the request it sent.
 */
export const refSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** How deep app data may nest: far beyond real payloads, far below what would overflow a stack. */
export const MAX_DEPTH = 64;

/** Whether `value` nests at most `limit` arrays/objects deep; iterative, so it cannot overflow itself. */
export function withinDepth(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > limit) return false;
    for (const child of Object.values(current as object)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return true;
}

/** Any JSON value the app sends; `undefined` (a missing field) and nesting deeper than MAX_DEPTH are refused. */
export const jsonValueSchema = z
  .custom<unknown>((value) => value !== undefined, { message: 'required' })
  .refine((value) => withinDepth(value, MAX_DEPTH), { message: `nested more than ${MAX_DEPTH} levels deep` });

/** Milliseconds since the Unix epoch, stamped by the hub. */
export const timestampSchema = z.number().int().nonnegative();

/** A connection id, issued by the hub and stable across reconnects within the grace period. */
export const connectionIdSchema = z.string().min(1).max(64);
