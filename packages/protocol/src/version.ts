/**
 * The wire protocol version this build speaks. A client sends it as the `v` query parameter of the
 * WebSocket URL; a hub that speaks another version refuses with {@link CloseCode.VERSION_MISMATCH}.
 */
export const PROTOCOL_VERSION = 1;
