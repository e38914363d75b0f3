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
  /** A CSS colour the hub assigned (or the user's own, from `authenticate`). */
  color: z.string(),
  /** The user `authenticate` returned, when the hub authenticates. */
  user: jsonValueSchema.optional(),
  /** The state the member last tracked. */
  state: jsonValueSchema,
});

/** A chat message as stamped by the hub. */
export const chatMessageSchema = z.object({
  /** The message's unique id. */
  id: z.string(),
  /** The message's number in the room's history: later messages have higher numbers. */
  seq: z.number().int().nonnegative(),
  /** The name the sender claimed in the room. */
  user: z.string(),
  /** The sender's user id when the hub authenticates, its connection id otherwise. */
  userId: z.string(),
  /** What was said, exactly as sent: render it as text, never as HTML. */
  text: z.string(),
  /** When the hub stored it. */
  ts: timestampSchema,
});

/** First message on every connection: who you are, and how to resume this session. */
export const welcomeMessage = z.object({
  /** Always `welcome`. */
  type: z.literal('welcome'),
  /** The protocol version of this connection, the `v` the client asked for; a client that speaks another one stops. */
  v: z.number().int(),
  /** Your connection id: the `from` of your topic messages. */
  id: connectionIdSchema,
  /**
   * Your id as a presence member, the `id` others see for you: your connection id, or your user id
   * when the hub keys presence by user. Absent from hubs older than this field: take `id` then.
   */
  member: memberSchema.shape.id.optional(),
  /** The CSS colour the hub assigned to this session. */
  color: z.string(),
  /** The user `authenticate` returned, when the hub authenticates. */
  user: jsonValueSchema.optional(),
  /** Whether the session named by your `resume` token was taken back (same id, rooms and subscriptions). */
  resumed: z.boolean(),
  /** The token to send as `resume` on the next connection, to come back as this session. */
  resume: z.string(),
  /** How often the hub pings; hearing nothing for two intervals means the link is dead. */
  heartbeatMs: z.number().int().positive(),
  /** Largest frame the hub accepts: a client refuses to send larger ones instead of being closed with 1009. */
  maxFrameBytes: z.number().int().positive(),
});
/** Heartbeat from the hub; answer with `pong`. */
export const pingMessage = z.object({
  /** Always `ping`. */
  type: z.literal('ping'),
});
/** The request with this `ref` succeeded; `result` is what it produced, when anything. */
export const ackMessage = z.object({
  /** Always `ack`. */
  type: z.literal('ack'),
  /** The `ref` of the request that succeeded. */
  ref: refSchema,
  /** What the request produced (e.g. the stamped chat message), when anything. */
  result: jsonValueSchema.optional(),
});
/** A request failed, or a frame was refused; `ref` names the request when it had one. */
export const errorMessage = z.object({
  /** Always `error`. */
  type: z.literal('error'),
  /** One of {@link ErrorCode}: what went wrong, and whether a retry can help. */
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  /** A human-readable explanation, for logs and developers. */
  message: z.string(),
  /** The `ref` of the request that failed; absent when the refused frame had none. */
  ref: refSchema.optional(),
});
/** A message published to a topic you subscribe to. `from` is the publisher's connection id, `null` for the server. */
export const topicMessage = z.object({
  /** Always `topic.message`. */
  type: z.literal('topic.message'),
  /** The topic it was published to. */
  topic: nameSchema,
  /** What was published. */
  data: jsonValueSchema,
  /** The publisher's connection id; `null` when server code published it. */
  from: connectionIdSchema.nullable(),
  /** When the hub accepted it. */
  ts: timestampSchema,
  /** On a recoverable topic: the message's place in the topic's history (1, 2, 3 …). */
  seq: z.number().int().positive().optional(),
});
/**
 * On a recoverable topic: what you missed since your `since` is older than the history the hub
 * keeps. Messages from then on arrive as usual; the ones in the gap are gone.
 */
export const topicResetMessage = z.object({
  /** Always `topic.reset`. */
  type: z.literal('topic.reset'),
  /** The recoverable topic whose gap cannot be filled. */
  topic: nameSchema,
});
/** A message the server sent to every connection (`hub.broadcast`). */
export const broadcastMessage = z.object({
  /** Always `broadcast`. */
  type: z.literal('broadcast'),
  /** What the server sent. */
  data: jsonValueSchema,
  /** When the hub sent it. */
  ts: timestampSchema,
});
/** A message the server sent to this connection or user (`hub.sendTo`). */
export const directMessage = z.object({
  /** Always `direct`. */
  type: z.literal('direct'),
  /** What the server sent. */
  data: jsonValueSchema,
  /** When the hub sent it. */
  ts: timestampSchema,
});
/** Every member of a presence room, in join order; sent when you join, before any diff. */
export const presenceSnapshotMessage = z.object({
  /** Always `presence.snapshot`. */
  type: z.literal('presence.snapshot'),
  /** The presence room. */
  room: nameSchema,
  /** Every member but you, in join order. */
  members: z.array(memberSchema),
});
/**
 * What changed in a presence room during one tick: newest state per member. The same frame for every
 * watcher, so it may carry your own entries: skip the ids equal to the welcome's `member` (a
 * version-1 connection never gets them). A list with nothing in it is left out; apply joins, then
 * updates, then leaves.
 */
export const presenceDiffMessage = z.object({
  /** Always `presence.diff`. */
  type: z.literal('presence.diff'),
  /** The presence room. */
  room: nameSchema,
  /** Members who started tracking, in join order, with their newest state. */
  joins: z.array(memberSchema).optional(),
  /** Members who tracked a new state: only the newest one of the tick. */
  updates: z.array(z.object({
    /** The member's id. */
    id: memberSchema.shape.id,
    /** Its new state. */
    state: jsonValueSchema,
  })).optional(),
  /** Members who left, and why. */
  leaves: z.array(z.object({
    /** The member's id. */
    id: memberSchema.shape.id,
    /** Why it left. */
    reason: leaveReasonSchema,
  })).optional(),
});
/** The last messages of a chat room, oldest first; sent when you join it. */
export const chatHistoryMessage = z.object({
  /** Always `chat.history`. */
  type: z.literal('chat.history'),
  /** The chat room. */
  room: nameSchema,
  /** The room's last messages, oldest first. */
  messages: z.array(chatMessageSchema),
});
/** A new message in a chat room you joined (yours included). */
export const chatMessage = z.object({
  /** Always `chat.message`. */
  type: z.literal('chat.message'),
  /** The chat room. */
  room: nameSchema,
  /** The message, as the hub stamped it. */
  message: chatMessageSchema,
});

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
