/**
 * The wire protocol version this build speaks. A client sends it as the `v` query parameter of the
 * WebSocket URL; a hub that does not speak it refuses with {@link CloseCode.VERSION_MISMATCH}. Version 2
 * sends every watcher of a presence room the same diff, its own entries included (version 1 left them
 * out); a version-2 hub still serves version-1 clients as before.
 */
export const PROTOCOL_VERSION = 2;
