import { z } from 'zod';
import { ErrorCode } from './errors.js';
import { connectionIdSchema, jsonValueSchema, nameSchema, refSchema, timestampSchema } from './primitives.js';

// Every hub → client message.

/** Why a member left a presence room. */
export const leaveReasonSchema = z.enum(['left', 'disconnected', 'timeout', 'node-down']);

/** A presence member as others see it. */
export const memberSchema = z.object({
  /** A connection id, or a user id when the hub keys presence by user. */
  id: z.string().min(1).max(256),
  color: z.string(),
  user: jsonValueSchema.optional(),
  state: jsonValueSchema,
});

/** A chat message as stamped by the hub. */
export const chatMessageSchema = z.object({
  id: z.string(),
  seq: z.number().int().nonnegative(),
  /** The name the sender claimed in the room. */
  user: z.string(),
  /** The sender's user id when the hub authenticates, its connection id otherwise. */
  userId: z.string(),
  text: z.string(),
  ts: timestampSchema,
});

/** First message on every connection: who you are, and how to resume this session. */
export const welcomeMessage = z.object({
  type: z.literal('welcome'),
  v: z.number().int(),
  id: connectionIdSchema,
  color: z.string(),
  user: jsonValueSchema.optional(),
  resumed: z.boolean(),
  resume: z.string(),
  heartbeatMs: z.number().int().positive(),
  /** Largest frame the hub accepts: a client refuses to send larger ones instead of being closed with 1009. */
  maxFrameBytes: z.number().int().positive(),
});
/** Heartbeat from the hub; answer with `pong`. */
export const pingMessage = z.object({ type: z.literal('ping') });
/** The request with this `ref` succeeded; `result` is what it produced, when anything. */
export const ackMessage = z.object({ type: z.literal('ack'), ref: refSchema, result: jsonValueSchema.optional() });
/** A request failed, or a frame was refused; `ref` names the request when it had one. */
export const errorMessage = z.object({
  type: z.literal('error'),
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  ref: refSchema.optional(),
});
/** A message published to a topic you subscribe to. `from` is the publisher's connection id, `null` for the server. */
export const topicMessage = z.object({
  type: z.literal('topic.message'),
  topic: nameSchema,
  data: jsonValueSchema,
  from: connectionIdSchema.nullable(),
  ts: timestampSchema,
  /** On a recoverable topic: the message's place in the topic's history (1, 2, 3 …). */
  seq: z.number().int().positive().optional(),
});
/**
 * On a recoverable topic: what you missed since your `since` is older than the history the hub
 * keeps. Messages from then on arrive as usual; the ones in the gap are gone.
 */
export const topicResetMessage = z.object({ type: z.literal('topic.reset'), topic: nameSchema });
/** A message the server sent to every connection (`hub.broadcast`). */
export const broadcastMessage = z.object({ type: z.literal('broadcast'), data: jsonValueSchema, ts: timestampSchema });
/** A message the server sent to this connection or user (`hub.sendTo`). */
export const directMessage = z.object({ type: z.literal('direct'), data: jsonValueSchema, ts: timestampSchema });
/** Every member of a presence room, in join order; sent when you join, before any diff. */
export const presenceSnapshotMessage = z.object({
  type: z.literal('presence.snapshot'),
  room: nameSchema,
  members: z.array(memberSchema),
});
/**
 * What changed in a presence room during one tick: newest state per member, never your own. A list
 * with nothing in it is left out; apply joins, then updates, then leaves.
 */
export const presenceDiffMessage = z.object({
  type: z.literal('presence.diff'),
  room: nameSchema,
  joins: z.array(memberSchema).optional(),
  updates: z.array(z.object({ id: memberSchema.shape.id, state: jsonValueSchema })).optional(),
  leaves: z.array(z.object({ id: memberSchema.shape.id, reason: leaveReasonSchema })).optional(),
});
/** The last messages of a chat room, oldest first; sent when you join it. */
export const chatHistoryMessage = z.object({
  type: z.literal('chat.history'),
  room: nameSchema,
  messages: z.array(chatMessageSchema),
});
/** A new message in a chat room you joined (yours included). */
export const chatMessage = z.object({ type: z.literal('chat.message'), room: nameSchema, message: chatMessageSchema });

/** Every message the hub may send, told apart by `type`. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeMessage,
  pingMessage,
  ackMessage,
  errorMessage,
  topicMessage,
  topicResetMessage,
  broadcastMessage,
  directMessage,
  presenceSnapshotMessage,
  presenceDiffMessage,
  chatHistoryMessage,
  chatMessage,
]);

/** A message from the hub to a client. */
export type ServerMessage = z.infer<typeof serverMessageSchema>;
/** The `type` strings of {@link ServerMessage}. */
export type ServerMessageType = ServerMessage['type'];
/** A presence member as others see it. */
export type Member = z.infer<typeof memberSchema>;
/** Why a member left a presence room. */
export type LeaveReason = z.infer<typeof leaveReasonSchema>;
/** A chat message as stamped by the hub. */
export type ChatMessage = z.infer<typeof chatMessageSchema>;
