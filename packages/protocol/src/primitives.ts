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

/** Any JSON value the app sends; `undefined` (a missing field) is refused. */
export const jsonValueSchema = z.custom<unknown>((value) => value !== undefined, { message: 'required' });

/** Milliseconds since the Unix epoch, stamped by the hub. */
export const timestampSchema = z.number().int().nonnegative();

/** A connection id, issued by the hub and stable across reconnects within the grace period. */
export const connectionIdSchema = z.string().min(1).max(64);
