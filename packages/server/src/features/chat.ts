import { ErrorCode, GhostError, encode, type ChatMessage } from '@ghost/protocol';
import type { Adapter } from '../adapters/adapter.js';
import { channels, type Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { createId } from '../ids.js';
import { chatNameKey, checkChatName, type ChatNameRule } from './chat-names.js';

/** Chat settings of a hub. */
export interface ChatOptions {
  /** Messages kept per room and sent to each newcomer. @default 50 */
  historySize: number;
  /** Longest message, in characters. @default 2000 */
  maxTextLength: number;
  /** How long a name claim lives without renewal; the hub renews held names at a third of it. @default 30000 */
  claimTtlMs: number;
  /** Whether a name may mix scripts (see {@link ChatNameRule}). @default 'any' */
  names: ChatNameRule;
}

/**
 * Chat rooms of this node: who reads each room, the name each connection holds there, and delivery.
 * Names are claimed and history kept through the adapter's store, so with a shared store both hold
 * across every node without this code knowing.
 */
export class Chat {
  private readonly readers = new Map<string, Set<Connection>>();
  private readonly renewal: NodeJS.Timeout;

  constructor(
    private readonly cluster: Cluster,
    private readonly store: Adapter,
    private readonly options: ChatOptions & { maxRooms: number },
    private readonly reportError: (error: Error) => void,
  ) {
    this.renewal = setInterval(() => this.renewClaims(), Math.max(10, options.claimTtlMs / 3)).unref();
  }

  /** Number of chat rooms with at least one reader here. */
  get size(): number {
    return this.readers.size;
  }

  /** Starts reading a room: sends its history to this connection, then its new messages. */
  async join(connection: Connection, room: string): Promise<void> {
    if (!connection.chats.has(room)) {
      if (connection.chats.size >= this.options.maxRooms) {
        throw new GhostError(ErrorCode.FORBIDDEN, `A connection may be in at most ${this.options.maxRooms} chat rooms`);
      }
      connection.chats.set(room, undefined);
      const set = this.readers.get(room);
      if (set) set.add(connection);
      else this.readers.set(room, new Set([connection]));
      await this.syncBus(room);
    }
    const { entries } = await this.store.range(stream(room), 0, this.options.historySize);
    const messages = entries.map(([seq, entry]) => ({ ...(JSON.parse(entry) as Omit<ChatMessage, 'seq'>), seq }));
    connection.send(encode({ type: 'chat.history', room, messages }));
  }

  /** Claims `name` in a room for this connection (joining it when needed); resolves with the name. */
  async identify(connection: Connection, room: string, rawName: string): Promise<{ name: string }> {
    const name = checkChatName(rawName, this.options.names);
    if (!connection.chats.has(room)) await this.join(connection, room);
    const held = connection.chats.get(room);
    if (!(await this.store.claim(nameKey(room, name), connection.id, this.options.claimTtlMs))) {
      throw new GhostError(ErrorCode.NAME_TAKEN, `The name ${JSON.stringify(name)} is taken in ${JSON.stringify(room)}`);
    }
    if (held !== undefined && nameKey(room, held) !== nameKey(room, name)) await this.store.release(nameKey(room, held), connection.id);
    // The connection may have left the room while the claim was on its way: then give it back.
    if (!connection.chats.has(room)) {
      await this.store.release(nameKey(room, name), connection.id);
      throw new GhostError(ErrorCode.NOT_IDENTIFIED, `Left ${JSON.stringify(room)} before the name was claimed`);
    }
    connection.chats.set(room, name);
    return { name };
  }

  /** Stamps, numbers, stores and delivers a message; resolves with it as every reader receives it. */
  async send(connection: Connection, room: string, text: string): Promise<ChatMessage> {
    const name = connection.chats.get(room);
    if (name === undefined) {
      throw new GhostError(ErrorCode.NOT_IDENTIFIED, `Claim a name in ${JSON.stringify(room)} with identify() before sending`);
    }
    if (text.length > this.options.maxTextLength) {
      throw new GhostError(ErrorCode.TOO_LARGE, `Message is ${text.length} characters; the limit is ${this.options.maxTextLength}`);
    }
    const stamped = { id: createId(), user: name, userId: connection.user?.id ?? connection.id, text, ts: Date.now() };
    const seq = await this.store.append(stream(room), JSON.stringify(stamped), this.options.historySize);
    const message: ChatMessage = { ...stamped, seq };
    const frame = encode({ type: 'chat.message', room, message });
    this.deliver(room, frame);
    await this.cluster.publish(channels.chat(this.cluster.prefix, room), { kind: 'chat', room, frame });
    return message;
  }

  /** Stops reading a room and gives its name back. */
  async leave(connection: Connection, room: string): Promise<void> {
    if (!connection.chats.has(room)) return;
    const name = connection.chats.get(room);
    connection.chats.delete(room);
    const set = this.readers.get(room);
    set?.delete(connection);
    if (set && set.size === 0) this.readers.delete(room);
    await Promise.all([
      name === undefined ? undefined : this.store.release(nameKey(room, name), connection.id),
      this.syncBus(room),
    ]);
  }

  /** Leaves every room of a connection that ended, releasing its names. */
  async drop(connection: Connection): Promise<void> {
    await Promise.all([...connection.chats.keys()].map((room) => this.leave(connection, room)));
  }

  close(): void {
    clearInterval(this.renewal);
  }

  private syncBus(room: string): Promise<void> {
    return this.cluster.sync(channels.chat(this.cluster.prefix, room), () => this.readers.has(room), (envelope) => {
      if (envelope.kind === 'chat') this.deliver(envelope.room, envelope.frame);
    });
  }

  private deliver(room: string, frame: string): void {
    for (const connection of this.readers.get(room) ?? []) connection.send(frame, { buffer: true });
  }

  // Names live as long as their holder: renewed while it is connected or within its grace period, so
  // a crashed node's names expire by themselves.
  private renewClaims(): void {
    for (const [room, set] of this.readers) {
      for (const connection of set) {
        const name = connection.chats.get(room);
        if (name === undefined) continue;
        this.store.claim(nameKey(room, name), connection.id, this.options.claimTtlMs).then(
          (held) => {
            if (!held) this.reportError(new Error(`chat name ${JSON.stringify(name)} in ${room} was lost to another holder`));
          },
          (error: Error) => this.reportError(error),
        );
      }
    }
  }
}

// Names are unique regardless of case, Unicode form and spacing: "Ada" and "ada" are one name. Room names
// cannot contain braces, so `{room}` cannot run into a name (and is a Redis Cluster hash tag, which
// keeps a room's keys on one shard).
function nameKey(room: string, name: string): string {
  return `chat:{${room}}:name:${chatNameKey(name)}`;
}

function stream(room: string): string {
  return `chat:{${room}}:history`;
}
