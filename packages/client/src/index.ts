export { createClient, type ClientOptions } from './create-client.js';
export { GhostClient, type ClientEvents } from './client.js';
export type { ClientStatus, ParamsProvider } from './connection.js';
export type { Self } from './core.js';
export { TopicHandle, type TopicHandler, type TopicMeta } from './handles/topic.js';
export { PresenceHandle, type PresenceMember, type PresenceEvents } from './handles/presence.js';
export { ChatHandle, type ChatEvents } from './handles/chat.js';
export { Cursors, type Cursor, type CursorExtra, type CursorsEvents, type CursorsOptions } from './cursors/cursors.js';
export { PointInterpolator, type InterpolatorOptions, type Point } from './cursors/interpolate.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export type { SocketLike, SocketConstructor } from './websocket.js';
// The shared vocabulary, so a browser app needs one import.
export { GhostError, ErrorCode, CloseCode, shouldReconnect, type ChatMessage } from '@ghost/protocol';
