import {
  ErrorCode, GhostError, describeInvalidName, isErrorCode, isValidName, type BroadcastDataOf, type DirectDataOf,
  type PresenceStateOf, type SchemaDefinition, type ServerMessage, type TopicDataOf, type TopicNameOf,
} from '@ghost/protocol';
import { Connection, type ClientStatus, type Welcome } from './connection.js';
import type { ClientCore, Outgoing, Self } from './core.js';
import { Cursors, type CursorsOptions } from './cursors/cursors.js';
import { ChatHandle } from './handles/chat.js';
import { PresenceHandle, type PresenceOptions } from './handles/presence.js';
import { TopicHandle } from './handles/topic.js';
import { Outbox } from './outbox.js';
import { SafeEmitter } from './safe-emitter.js';

/** Events of a client; `on` returns the function that stops listening. */
export interface ClientEvents<S> {
  /**
   * The status changed. `reason` says why when something failed: with `reconnecting`, the attempt
   * that failed (`UNREACHABLE`, with what the socket said, such as `connect ECONNREFUSED`; or
   * `INTERNAL` when `params()` threw); with `closed`, the hub's refusal. It is `undefined` for
   * `connecting`, `open`, `client.close()`, and for a drop of an open link (the hub may just be
   * restarting: if the next attempt fails, the `error` event says so).
   */
  status: (status: ClientStatus, reason: GhostError | undefined) => void;
  /** The server sent `hub.broadcast(data)`. */
  broadcast: (data: BroadcastDataOf<S>) => void;
  /** The server sent `hub.sendTo(you, data)`. */
  direct: (data: DirectDataOf<S>) => void;
  /**
   * Something went wrong that no promise reports: the hub refused the connection (then `status` is
   * `closed`); the hub cannot be reached (`UNREACHABLE`, once per outage, on its first failed attempt:
   * the client keeps retrying, and `status` says `open` once it is back); `params()` threw (`INTERNAL`,
   * once per outage too, with the thrown value as `cause`; retried likewise); the hub refused a message
   * sent without a promise; or a listener threw. With no `error` listener it is logged with
   * `console.warn`.
   */
  error: (error: GhostError) => void;
}

/**
 * A reconnecting connection to a Ghost hub, with handles for topics and presence rooms. Create it with
 * {@link createClient}.
 */
export class GhostClient<S extends SchemaDefinition = SchemaDefinition> {
  // A throwing `error` listener is not reported: that would call it again.
  private readonly events = new SafeEmitter<ClientEvents<S>>((thrown, event) => event !== 'error' && this.reportError(thrown));
  private readonly topics = new Map<string, TopicHandle<any>>();
  private readonly rooms = new Map<string, PresenceHandle<any>>();
  private readonly chats = new Map<string, ChatHandle>();
  private readonly outbox: Outbox;
  private readonly core: ClientCore;
  private nextRef = 1;
  private welcome: Welcome | undefined;

  /** @internal Use {@link createClient}. */
  constructor(
    private readonly connection: Connection,
    maxQueued: number,
    private readonly presenceOptions: PresenceOptions,
    private readonly chatHistoryLimit: number,
  ) {
    this.outbox = new Outbox(maxQueued);
    const client = this;
    this.core = {
      get self() {
        return client.self;
      },
      notify: (message) => this.notify(message),
      request: (message, onAnswer) => this.request(message, onAnswer),
      reportError: (error) => this.reportError(error),
    };
  }

  /** Where the client stands: `connecting`, `open`, `reconnecting` or `closed`. */
  get status(): ClientStatus {
    return this.connection.status;
  }

  /** Who you are (id, member id, colour, user) as the hub's last welcome said; `null` before it. */
  get self(): Self | null {
    const welcome = this.welcome;
    if (!welcome) return null;
    // A hub older than `member` keys presence by connection.
    const self = { id: welcome.id, member: welcome.member ?? welcome.id, color: welcome.color };
    return welcome.user === undefined ? self : { ...self, user: welcome.user };
  }

  /** Requests waiting for the hub's answer, including those queued while offline. */
  get queued(): number {
    return this.outbox.size;
  }

  /**
   * The topic named `name`: the same handle each time.
   * @example client.topic('world').subscribe((data) => console.log(data));
   */
  topic<N extends TopicNameOf<S>>(name: N): TopicHandle<TopicDataOf<S, N>> {
    return cached(this.topics, checkName('topic', name), () => new TopicHandle(this.core, name));
  }

  /**
   * The presence room named `room`: the same handle each time.
   * @example client.presence('lobby').track({ x: 10, y: 20 });
   */
  presence(room: string): PresenceHandle<PresenceStateOf<S>> {
    return cached(this.rooms, checkName('presence room', room), () => new PresenceHandle(this.core, room, this.presenceOptions));
  }

  /**
   * The chat room named `room`: the same handle each time. Chat rooms are apart from presence rooms
   * and topics of the same name.
   * @example
   * const fishing = client.chat('fishing');
   * fishing.on('message', (m) => show(m.user, m.text));
   * await fishing.identify('fishing_beast_5000');
   * await fishing.send('I heard you have the best luck fishing in the morning');
   */
  chat(room: string): ChatHandle {
    return cached(this.chats, checkName('chat room', room), () => new ChatHandle(this.core, room, this.chatHistoryLimit));
  }

  /** Listens to a client event; returns the function that stops listening. */
  on<E extends keyof ClientEvents<S>>(event: E, listener: ClientEvents<S>[E]): () => void {
    this.events.on(event, listener as never);
    return () => void this.events.off(event, listener as never);
  }

  /**
   * Closes the connection for good: the hub lets your presence go at once, and requests still waiting
   * reject with `NOT_SENT`. Resolves once the socket has closed.
   */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** @internal */
  onWelcome(welcome: Welcome): void {
    this.welcome = welcome;
    // Taken before restoring, which may add requests of its own (a name to reclaim) and send them.
    const queued = this.outbox.pending();
    for (const topic of this.topics.values()) topic.restore();
    for (const room of this.rooms.values()) room.restore();
    for (const chat of this.chats.values()) chat.restore();
    for (const request of queued) {
      // Queued before this hub's limit was known: refuse it here rather than be closed with 1009 on
      // every reconnect, forever.
      if (this.tooLarge(request.frame)) this.outbox.settle(request.ref, { error: this.tooLargeError(request.frame) });
      else this.connection.send(request.frame);
    }
  }

  /** @internal */
  onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'topic.message': {
        const meta = { topic: message.topic, from: message.from, ts: message.ts };
        this.topics.get(message.topic)?.deliver(message.data, message.seq === undefined ? meta : { ...meta, seq: message.seq });
        return;
      }
      case 'topic.reset':
        this.topics.get(message.topic)?.applyReset();
        return;
      case 'presence.snapshot':
        this.rooms.get(message.room)?.applySnapshot(message.members);
        return;
      case 'presence.diff':
        this.rooms.get(message.room)?.applyDiff(message);
        return;
      case 'chat.history':
        this.chats.get(message.room)?.applyHistory(message.messages);
        return;
      case 'chat.message':
        this.chats.get(message.room)?.applyMessage(message.message);
        return;
      case 'ack':
        this.outbox.settle(message.ref, { result: message.result });
        return;
      case 'error': {
        // Checked all the same: a newer hub may send a code this client does not know.
        const code = isErrorCode(message.code) ? message.code : ErrorCode.INTERNAL;
        const error = new GhostError(code, message.message);
        if (message.ref !== undefined && this.outbox.settle(message.ref, { error })) return;
        this.emitError(error);
        return;
      }
      // The hub checked the data against the app's schema, which the client shares.
      case 'broadcast':
        this.events.emit('broadcast', message.data as BroadcastDataOf<S>);
        return;
      case 'direct':
        this.events.emit('direct', message.data as DirectDataOf<S>);
        return;
      default:
        return; // welcome and ping are the connection's; a newer hub's newer message is ignored rather than fatal
    }
  }

  /** @internal */
  onStopped(error: GhostError | undefined): void {
    this.outbox.rejectAll(error ?? new GhostError(ErrorCode.NOT_SENT, 'The client was closed before the hub answered'));
    if (error) this.emitError(error);
  }

  /** @internal */
  onStatus(status: ClientStatus, reason: GhostError | undefined): void {
    this.events.emit('status', status, reason);
  }

  /** @internal */
  onFailed(error: GhostError): void {
    this.emitError(error);
  }

  private notify(message: Outgoing): void {
    const frame = JSON.stringify(message);
    // Sent again on every reconnect, so one too large would get the socket closed (1009) every time.
    if (this.tooLarge(frame)) this.emitError(this.tooLargeError(frame));
    else this.connection.send(frame);
  }

  private request(message: Outgoing, onAnswer?: (result: unknown) => void): Promise<unknown> {
    if (this.connection.status === 'closed') {
      return Promise.reject(new GhostError(ErrorCode.NOT_SENT, 'The client is closed; create a new one'));
    }
    const ref = this.nextRef++;
    const frame = JSON.stringify({ ...message, ref });
    if (this.tooLarge(frame)) return Promise.reject(this.tooLargeError(frame));
    return new Promise((resolve, reject) => {
      try {
        this.outbox.add({ ref, frame, resolve: onAnswer ? (result) => (onAnswer(result), resolve(result)) : resolve, reject });
      } catch (error) {
        this.emitError(error as GhostError);
        reject(error);
        return;
      }
      this.connection.send(frame);
    });
  }

  private tooLarge(frame: string): boolean {
    const limit = this.welcome?.maxFrameBytes;
    // Length is a lower bound of the UTF-8 size: encode only when it could matter.
    return limit !== undefined && frame.length * 3 > limit && utf8.encode(frame).length > limit;
  }

  private tooLargeError(frame: string): GhostError {
    return new GhostError(ErrorCode.TOO_LARGE, `Message is ${utf8.encode(frame).length} bytes; the hub accepts at most ${this.welcome?.maxFrameBytes}`);
  }

  private reportError(error: unknown): void {
    this.emitError(error instanceof GhostError ? error : new GhostError(ErrorCode.INTERNAL, 'A listener threw', { cause: error }));
  }

  private emitError(error: GhostError): void {
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
    else if (error.code !== ErrorCode.NOT_SENT) console.warn(`[ghost] ${error.code}: ${error.message}`);
  }

  /**
   * Live cursors over `options.element` in the presence room `room` (browser only): your pointer is
   * tracked as `{ x, y }`, fractions (0..1) of the element, at most once per animation frame, and
   * hidden from others when it leaves the element or the tab is hidden. Others' cursors come back
   * smoothed between updates. It computes positions; drawing them is yours. Throws a `TypeError`
   * outside a browser.
   *
   * @example
   * const cursors = client.cursors('lobby', { element: board, state: () => ({ name }) });
   * cursors.on('change', (list) => {
   *   for (const c of list) draw(c.id, c.color, c.x * board.clientWidth, c.y * board.clientHeight);
   * });
   * // later: cursors.destroy();
   */
  cursors(room: string, options: CursorsOptions<PresenceStateOf<S>>): Cursors<PresenceStateOf<S>> {
    return new Cursors(this.presence(room), options, (error) => this.reportError(error));
  }
}

const utf8 = new TextEncoder();

function checkName(kind: string, name: string): string {
  if (!isValidName(name)) throw new GhostError(ErrorCode.INVALID_NAME, describeInvalidName(kind, name));
  return name;
}

function cached<V>(map: Map<string, V>, key: string, create: () => V): V {
  let value = map.get(key);
  if (!value) map.set(key, (value = create()));
  return value;
}
