import type { z } from 'zod';
import {
  chatIdentifyMessage, chatJoinMessage, chatLeaveMessage, chatSendMessage, pongMessage, presenceJoinMessage,
  presenceLeaveMessage, presenceTrackMessage, presenceUntrackMessage, topicPublishMessage, topicSubscribeMessage,
  topicUnsubscribeMessage, type ClientMessage, type ClientMessageType,
} from './client-messages.js';
import { ErrorCode } from './errors.js';
import { serverMessageSchema, type ServerMessage } from './server-messages.js';
import { decodePublish, decodeTrack } from './fast-decoders.js';

/** The outcome of decoding a frame: the message, or why it was refused. Decoding never throws. */
export type DecodeResult<T> =
  | {
      /** Decoded. */
      ok: true;
      /** The message, checked against its schema. */
      message: T;
    }
  | {
      /** Refused. */
      ok: false;
      /** The error code to answer with (`BAD_FRAME`, `UNKNOWN_TYPE`, `INVALID_NAME`, `INVALID_PAYLOAD`). */
      code: ErrorCode;
      /** Why, for the `error` frame's message. */
      error: string;
      /** The frame's `ref`, when it had a valid one, so the answer can name the request. */
      ref?: number;
    };

/** Turns a message into the text of one WebSocket frame. */
export function encode(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}

/** What {@link parseFrame} returns: an object with a string `type` (and its `ref` when valid), or why not. */
export type ParsedFrame =
  | {
      /** Parsed. */
      ok: true;
      /** The frame's object; only its `type` is checked. */
      value: Record<string, unknown> & {
        /** The message type, not yet checked against the known ones. */
        type: string;
      };
      /** The frame's `ref`, when it is a valid one. */
      ref?: number;
    }
  | {
      /** Not a message at all. */
      ok: false;
      /** Always `BAD_FRAME`. */
      code: ErrorCode;
      /** Why: not JSON, not an object, or no string `type`. */
      error: string;
    };

/**
 * Parses a frame's text into an object with a string `type`, without checking the rest. Cheap
 * enough for the browser, where the hub is trusted; the hub uses {@link decodeClientMessage}.
 */
export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: ErrorCode.BAD_FRAME, error: 'Frame is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: ErrorCode.BAD_FRAME, error: 'Frame must be a JSON object' };
  }
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string') {
    return { ok: false, code: ErrorCode.BAD_FRAME, error: 'Frame must have a string "type"' };
  }
  const ref = record.ref;
  const validRef = typeof ref === 'number' && Number.isSafeInteger(ref) && ref >= 0 ? ref : undefined;
  return { ok: true, value: record as Record<string, unknown> & { type: string }, ref: validRef };
}

// A map instead of the discriminated union: one hash lookup picks the schema, and an unknown type is
// told apart from a malformed known one.
const clientSchemas: Record<ClientMessageType, z.ZodType> = {
  pong: pongMessage,
  'topic.subscribe': topicSubscribeMessage,
  'topic.unsubscribe': topicUnsubscribeMessage,
  'topic.publish': topicPublishMessage,
  'presence.join': presenceJoinMessage,
  'presence.track': presenceTrackMessage,
  'presence.untrack': presenceUntrackMessage,
  'presence.leave': presenceLeaveMessage,
  'chat.join': chatJoinMessage,
  'chat.identify': chatIdentifyMessage,
  'chat.send': chatSendMessage,
  'chat.leave': chatLeaveMessage,
};

const NAME_FIELDS = new Set(['topic', 'room']);

/** Decodes and validates a frame a client sent. Never throws; a refusal says which error code applies. */
export function decodeClientMessage(text: string): DecodeResult<ClientMessage> {
  const parsed = parseFrame(text);
  if (!parsed.ok) return parsed;
  const { value, ref } = parsed;
  const fast = value.type === 'presence.track' ? decodeTrack(value) : value.type === 'topic.publish' ? decodePublish(value) : undefined;
  if (fast) return { ok: true, message: fast };
  const schema = Object.prototype.hasOwnProperty.call(clientSchemas, value.type)
    ? clientSchemas[value.type as ClientMessageType]
    : undefined;
  if (!schema) {
    return { ok: false, code: ErrorCode.UNKNOWN_TYPE, error: `Unknown message type ${JSON.stringify(value.type.slice(0, 64))}`, ref };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, message: result.data as ClientMessage };
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  if (NAME_FIELDS.has(field)) {
    return { ok: false, code: ErrorCode.INVALID_NAME, error: `${value.type}: invalid ${field} name`, ref };
  }
  return { ok: false, code: ErrorCode.INVALID_PAYLOAD, error: `${value.type}: ${field || 'message'}: ${issue.message}`, ref };
}

/** Decodes and validates a frame the hub sent (for tests, tools and clients that want full checks). */
export function decodeServerMessage(text: string): DecodeResult<ServerMessage> {
  const parsed = parseFrame(text);
  if (!parsed.ok) return parsed;
  const result = serverMessageSchema.safeParse(parsed.value);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, code: ErrorCode.INVALID_PAYLOAD, error: `${parsed.value.type}: ${issue.path.join('.') || 'message'}: ${issue.message}` };
}
