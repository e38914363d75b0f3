import { CloseCode, ErrorCode, GhostError, decodeClientMessage, parseFrame, type ClientMessage } from '@ghost/protocol';
import type { Authorizer } from './authorize.js';
import type { Connection } from './connection.js';
import type { LoopLag, TokenBucket } from './rate-limit.js';
import type { Chat } from './features/chat.js';
import type { Presence } from './features/presence.js';
import type { Topics } from './features/topics.js';
import type { Validator } from './validate.js';
import type { HubMetrics } from './metrics.js';
import { toError } from './to-error.js';
import { isTrackFrame, scanTrack, type ScannedTrack } from './track-scan.js';

/** What the router needs of the hub. */
export interface RouterContext {
  topics: Topics;
  presence: Presence;
  chat: Chat;
  validate: Validator;
  authorizer: Authorizer;
  reportError(error: Error): void;
  metrics?: HubMetrics;
  /** How late the hub's event loop runs: a burst its lateness made is not the client's. */
  loopLag?: LoopLag;
}

/** Frames refused in a row by the rate limit after which the socket is closed with 1008. */
export const FLOOD_LIMIT = 100;
/** Tokens a frame refused at decoding takes: above the measured cost ratio of refusing to accepting (bench/validation.ts). */
export const REFUSAL_COST = 8;

/**
 * Turns one text frame from a client, as ws delivers it (`null` for a binary one), into the feature
 * call it asks for, and answers with an ack or an error.
 */
export function routeFrame(context: RouterContext, connection: Connection, frame: Buffer | null): void {
  // The rate limit decided to close this socket: what follows is neither handled nor answered.
  if (connection.flooded) return;
  const now = Date.now();
  connection.heard(now);
  // Cheap on purpose: the reference client writes `type` first, so a cursor move is known without
  // parsing. A frame written otherwise just counts against the general budget.
  const isTrack = frame !== null && isTrackFrame(frame);
  const bucket = isTrack ? connection.presenceBucket : connection.bucket;
  if (!bucket.take(now, context.loopLag?.lateMs(now) ?? 0)) {
    if (context.metrics) context.metrics.rateLimited[bucket === connection.bucket ? 'messages' : 'presence'] += 1;
    refuseFlood(connection, bucket, frame);
    return;
  }
  if (frame === null) {
    context.metrics?.receivedFrame('binary');
    sendError(connection, ErrorCode.BAD_FRAME, 'Binary frames are not supported; send JSON text', undefined);
    return;
  }
  // A cursor move as every JavaScript client writes it is read without parsing (track-scan.ts), unless
  // the app's schema checks presence states, which needs them parsed.
  let message: RoutedMessage | undefined = isTrack && !context.validate.checksPresence ? scanTrack(frame) : undefined;
  if (message) context.metrics?.receivedFrame(message.type);
  else {
    const decoded = decodeClientMessage(frame.toString());
    context.metrics?.receivedFrame(decoded.ok ? decoded.message.type : 'invalid');
    if (!decoded.ok) {
      // Refusing costs the hub several times what accepting does (an exception in JSON.parse, zod
      // building its issue): so it costs the sender several tokens, and refusing stays the cheaper work.
      bucket.charge(REFUSAL_COST - 1);
      sendError(connection, decoded.code, decoded.error, decoded.ref);
      return;
    }
    message = decoded.message;
  }
  if (message.type === 'pong') return;
  const ref = 'ref' in message ? message.ref : undefined;
  if (ref !== undefined && connection.results.has(ref)) {
    // A resend (after a reconnect, or a client retrying): answer as the first time, do nothing twice.
    void Promise.resolve(connection.results.get(ref)).then((result) => sendAck(connection, ref, result), () => undefined);
    return;
  }
  let outcome: unknown;
  try {
    outcome = dispatch(context, connection, message);
  } catch (error) {
    fail(context, connection, error, ref);
    return;
  }
  if (outcome instanceof Promise) connection.track(outcome);
  if (ref === undefined) {
    if (outcome instanceof Promise) outcome.catch((error) => fail(context, connection, error, ref));
    return;
  }
  // Remembered before it settles, so a resend arriving meanwhile waits for this outcome instead of redoing it.
  connection.results.remember(ref, outcome);
  if (!(outcome instanceof Promise)) {
    sendAck(connection, ref, outcome);
    return;
  }
  outcome.then(
    (result) => sendAck(connection, ref, result),
    (error) => {
      connection.results.forget(ref); // a failure may be retried for real
      fail(context, connection, error, ref);
    },
  );
}

// Module-level rather than made per frame: a closure per message (and its name, under tsx) showed in
// the cursor benchmark's profile.
const topic = (name: string) => ({ kind: 'topic' as const, name });
const room = (kind: 'presence' | 'chat', name: string) => ({ kind, name });

/** A message as the router dispatches it: decoded, or a cursor move read straight from its text. */
type RoutedMessage = ClientMessage | ScannedTrack;

function dispatch(context: RouterContext, connection: Connection, message: RoutedMessage): unknown {
  const { topics, presence, chat, validate, authorizer } = context;
  switch (message.type) {
    case 'topic.subscribe':
      validate.topicAllowed(message.topic);
      return authorizer.guard(connection, topic(message.topic), 'subscribe', () => topics.subscribe(connection, message.topic, message.since));
    case 'topic.unsubscribe':
      return authorizer.after(connection, topic(message.topic), ['subscribe'], () => topics.unsubscribe(connection, message.topic));
    case 'topic.publish': {
      const data = validate.topicData(message.topic, message.data);
      return authorizer.guard(connection, topic(message.topic), 'publish', () =>
        topics.publish(message.topic, data, connection.id, { clientId: connection.clientId, ref: message.ref }));
    }
    case 'presence.join':
      return authorizer.guard(connection, room('presence', message.room), 'watch', () => presence.join(connection, message.room));
    case 'presence.track': {
      // Tracking watches too: the decision to track includes the one to watch.
      const state = 'stateJson' in message ? message.stateJson : JSON.stringify(validate.presenceState(message.state));
      // Every cursor move comes here: with nothing to ask, no target or step is built for it.
      if (!authorizer.asks) return presence.track(connection, message.room, state);
      return authorizer.guard(connection, room('presence', message.room), 'track', () => presence.track(connection, message.room, state));
    }
    case 'presence.untrack':
      return authorizer.after(connection, room('presence', message.room), ['track'], () => presence.untrack(connection, message.room));
    case 'presence.leave':
      return authorizer.after(connection, room('presence', message.room), ['watch', 'track'], () => presence.leave(connection, message.room));
    // Chat steps wait on the store, and each depends on the one before (join, identify, send): run
    // them one after another per connection, in the order they arrived.
    case 'chat.join':
      return connection.steps.run(async () =>
        authorizer.guard(connection, room('chat', message.room), 'join', () => chat.join(connection, message.room)));
    case 'chat.identify':
      // Identifying joins the room when needed, so it needs both.
      return connection.steps.run(async () =>
        authorizer.guard(connection, room('chat', message.room), 'join', () =>
          authorizer.guard(connection, room('chat', message.room), 'send', () => chat.identify(connection, message.room, message.name))));
    case 'chat.send':
      return connection.steps.run(async () =>
        authorizer.guard(connection, room('chat', message.room), 'send', () => chat.send(connection, message.room, message.text)));
    case 'chat.leave':
      return connection.steps.run(() => chat.leave(connection, message.room));
    default:
      return undefined;
  }
}

// Every dropped request still gets its answer, so no promise on the client waits forever; a flood is
// bounded by FLOOD_LIMIT, after which the socket is closed.
function refuseFlood(connection: Connection, bucket: TokenBucket, frame: Buffer | null): void {
  const { debt } = bucket;
  if (debt >= FLOOD_LIMIT) {
    // What was already dispatched (and maybe delivered to others) is answered before the close.
    connection.closeAfterPending(CloseCode.POLICY_VIOLATION, 'rate limit exceeded');
    return;
  }
  const parsed = frame === null ? undefined : parseFrame(frame.toString());
  const ref = parsed?.ok ? parsed.ref : undefined;
  if (ref !== undefined || debt === 1) sendError(connection, ErrorCode.RATE_LIMITED, 'Too many messages: slow down', ref);
}

function fail(context: RouterContext, connection: Connection, error: unknown, ref: number | undefined): void {
  if (error instanceof GhostError) {
    sendError(connection, error.code, error.message, ref);
    return;
  }
  context.reportError(toError(error));
  sendError(connection, ErrorCode.INTERNAL, 'The hub failed to handle this message', ref);
}

function sendAck(connection: Connection, ref: number, result: unknown): void {
  connection.send(JSON.stringify(result === undefined ? { type: 'ack', ref } : { type: 'ack', ref, result }));
}

function sendError(connection: Connection, code: ErrorCode, message: string, ref: number | undefined): void {
  connection.send(JSON.stringify(ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref }));
}
