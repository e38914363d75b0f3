/** Whether `value` is a finite number of at least `min`: the test every numeric option passes. */
export function isNumberAtLeast(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min;
}

/**
 * A numeric option of `who` (`createHub`, `hub.close`…): `fallback` when it is absent, else the value,
 * which must be a finite number of at least `min`; anything else throws a `TypeError` that names the
 * option, the bound and what was given.
 */
export function numberOption(who: string, name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!isNumberAtLeast(value, min)) throw new TypeError(`${who}: ${name} must be a number ≥ ${min}, got ${String(value)}`);
  return value;
}
