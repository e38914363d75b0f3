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
  if (limit < 1) return false;
  // Every cursor move passes here: a flat state (`{ x, y }`) is checked without allocating anything,
  // and the stack of nested objects is made only once one turns up.
  let pending: object[] | undefined;
  let depths: number[] | undefined;
  let current: object = value;
  let depth = 1;
  for (;;) {
    // Two loops on purpose: for-in over an array walks string keys, and one loop for both measured
    // about 1.5× slower on a flat object.
    if (Array.isArray(current)) {
      for (const child of current as unknown[]) {
        if (typeof child !== 'object' || child === null) continue;
        if (depth >= limit) return false;
        (pending ??= []).push(child);
        (depths ??= []).push(depth + 1);
      }
    } else {
      for (const key in current) {
        if (!Object.prototype.hasOwnProperty.call(current, key)) continue;
        const child = (current as Record<string, unknown>)[key];
        if (typeof child !== 'object' || child === null) continue;
        if (depth >= limit) return false;
        (pending ??= []).push(child);
        (depths ??= []).push(depth + 1);
      }
    }
    if (!pending || pending.length === 0) return true;
    current = pending.pop()!;
    depth = depths!.pop()!;
  }
}

/** Any JSON value the app sends; `undefined` (a missing field) and nesting deeper than MAX_DEPTH are refused. */
export const jsonValueSchema = z
  .custom<unknown>((value) => value !== undefined, { message: 'required' })
  .refine((value) => withinDepth(value, MAX_DEPTH), { message: `nested more than ${MAX_DEPTH} levels deep` });

/** Milliseconds since the Unix epoch, stamped by the hub. */
export const timestampSchema = z.number().int().nonnegative();

/** A connection id, issued by the hub and stable across reconnects within the grace period. */
export const connectionIdSchema = z.string().min(1).max(64);
