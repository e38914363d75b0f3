/** Longest topic, room or chat name, in characters. */
export const MAX_NAME_LENGTH = 128;

// Kept to a conservative ASCII set so that names map directly to adapter channel names (Redis keys,
// NATS subjects) without escaping, and cannot smuggle whitespace or control characters into logs. No
// braces: the hub wraps a name in `{…}` as a Redis Cluster hash tag, which a brace would cut short.
const NAME_PATTERN = /^[A-Za-z0-9_\-.:@/+=~]+$/;

/**
 * Whether `name` may be used as a topic, presence room or chat room name: 1 to 128 characters from
 * `A-Z a-z 0-9 _ - . : @ / + = ~`.
 *
 * @example
 * isValidName('world');        // true
 * isValidName('rooms/fishing'); // true
 * isValidName('two words');    // false
 */
export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);
}

/** The message a user sees when a name is refused; shared so the client and the hub say the same. */
export function describeInvalidName(kind: string, name: unknown): string {
  return `Invalid ${kind} name ${JSON.stringify(name)}: use 1 to ${MAX_NAME_LENGTH} characters from A-Z a-z 0-9 _ - . : @ / + = ~`;
}
