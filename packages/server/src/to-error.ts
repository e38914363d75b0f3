/**
 * What was thrown, as an `Error` for the hub's `error` event: `throw 'x'` or a rejected non-Error
 * becomes `new Error('x')`, so listeners can always read `message` and `stack`.
 */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
