export { PROTOCOL_VERSION } from './version.js';
export { isValidName, describeInvalidName, MAX_NAME_LENGTH } from './names.js';
export { ErrorCode, GhostError, isRetryable, isErrorCode } from './errors.js';
export { CloseCode, closeReaction, shouldReconnect, withRetryAfter, retryAfterOf, type CloseReaction } from './close-codes.js';
export { clientMessageSchema, type ClientMessage, type ClientMessageType } from './client-messages.js';
export {
  serverMessageSchema, memberSchema, chatMessageSchema, leaveReasonSchema, type ServerMessage, type ServerMessageType,
  type Member, type LeaveReason, type ChatMessage,
} from './server-messages.js';
export {
  encode, parseFrame, decodeClientMessage, decodeServerMessage, type DecodeResult, type ParsedFrame,
} from './codec.js';
export {
  defineSchema, type SchemaDefinition, type PresenceStateOf, type TopicDataOf, type TopicNameOf,
  type BroadcastDataOf, type DirectDataOf,
} from './schema.js';
