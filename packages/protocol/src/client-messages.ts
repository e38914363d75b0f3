import { z } from 'zod';
import { jsonValueSchema, nameSchema, refSchema } from './primitives.js';

// Every client → hub message. `ref` is optional on all of them: when present the hub answers with an
// `ack` (or an `error`) carrying the same ref.

const topicField = {
  /** The topic's name. */
  topic: nameSchema,
  /** Chosen by the client; the hub's `ack` or `error` for this message carries it back. */
  ref: refSchema.optional(),
};
const roomField = {
  /** The room's name. */
  room: nameSchema,
  /** Chosen by the client; the hub's `ack` or `error` for this message carries it back. */
  ref: refSchema.optional(),
};

/** Answer to the hub's `ping`; proves the link is alive. */
export const pongMessage = z.object({
  /** Always `pong`. */
  type: z.literal('pong'),
});
/**
 * Start receiving a topic's messages. On a recoverable topic, `since` (the last `seq` received) asks
 * for what was published after it first.
 */
export const topicSubscribeMessage = z.object({
  /** Always `topic.subscribe`. */
  type: z.literal('topic.subscribe'),
  ...topicField,
  /** On a recoverable topic: the last `seq` received; the hub first replays what came after it. */
  since: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
});
/** Stop receiving a topic's messages. */
export const topicUnsubscribeMessage = z.object({
  /** Always `topic.unsubscribe`. */
  type: z.literal('topic.unsubscribe'),
  ...topicField,
});
/** Send `data` to every subscriber of the topic (the sender too, when subscribed). */
export const topicPublishMessage = z.object({
  /** Always `topic.publish`. */
  type: z.literal('topic.publish'),
  ...topicField,
  /** What subscribers receive: any JSON value, `null` included. */
  data: jsonValueSchema,
});
/** Watch a presence room: receive its snapshot, then its diffs. */
export const presenceJoinMessage = z.object({
  /** Always `presence.join`. */
  type: z.literal('presence.join'),
  ...roomField,
});
/** Become (or stay) a member of the room with this state; replaces the previous state. */
export const presenceTrackMessage = z.object({
  /** Always `presence.track`. */
  type: z.literal('presence.track'),
  ...roomField,
  /** Your new state, as the other members will see it. */
  state: jsonValueSchema,
});
/** Leave the member list but keep watching. */
export const presenceUntrackMessage = z.object({
  /** Always `presence.untrack`. */
  type: z.literal('presence.untrack'),
  ...roomField,
});
/** Stop watching the room (and leave the member list). */
export const presenceLeaveMessage = z.object({
  /** Always `presence.leave`. */
  type: z.literal('presence.leave'),
  ...roomField,
});
/** Join a chat room to read it: the hub answers with `chat.history`. */
export const chatJoinMessage = z.object({
  /** Always `chat.join`. */
  type: z.literal('chat.join'),
  ...roomField,
});
/** Claim a name in a chat room; refused with `NAME_TAKEN` when another member holds it. */
export const chatIdentifyMessage = z.object({
  /** Always `chat.identify`. */
  type: z.literal('chat.identify'),
  ...roomField,
  /** The name to hold in this room (the hub trims it and checks its length and characters). */
  name: z.string().min(1).max(64),
});
/** Say something in a chat room; the ack carries the stamped message. */
export const chatSendMessage = z.object({
  /** Always `chat.send`. */
  type: z.literal('chat.send'),
  ...roomField,
  /** The message text, at most the hub's `chat.maxTextLength`. */
  text: z.string().min(1),
});
/** Leave a chat room, releasing the name held there. */
export const chatLeaveMessage = z.object({
  /** Always `chat.leave`. */
  type: z.literal('chat.leave'),
  ...roomField,
});

/** Every message a client may send, told apart by `type`. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  pongMessage,
  topicSubscribeMessage,
  topicUnsubscribeMessage,
  topicPublishMessage,
  presenceJoinMessage,
  presenceTrackMessage,
  presenceUntrackMessage,
  presenceLeaveMessage,
  chatJoinMessage,
  chatIdentifyMessage,
  chatSendMessage,
  chatLeaveMessage,
]);

/** A message from a client to the hub. */
export type ClientMessage = z.infer<typeof clientMessageSchema>;
/** The `type` strings of {@link ClientMessage}. */
export type ClientMessageType = ClientMessage['type'];
