import { ErrorCode, GhostError, encode, type ChatMessage } from '@ghost/protocol';
import type { Adapter } from '../adapters/adapter.js';
import { channels, type Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { createId } from '../ids.js';
import type { ChatOptions } from '../options.js';
import { chatNameKey, checkChatName } from './chat-names.js';

/**
 * Chat rooms of this node: who reads each room, the name each connection speaks under there, and
 * delivery. Names are claimed and history kept through the adapter's store, so with a shared store
 * both hold across every node without this code knowing.
 *
 * A name belongs to a user when the hub authenticates (every connection of that user, on any node,
 * may speak under it), otherwise to the connection: see {@link ownerOf}.
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
    this.renewal = setInterval(() => this.renewClaims(), this.renewalMs).unref();
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
    if (!(await this.store.claim(nameKey(room, name), ownerOf(connection), this.options.claimTtlMs))) {
      throw new GhostError(ErrorCode.NAME_TAKEN, `The name ${JSON.stringify(name)} is taken in ${JSON.stringify(room)}`);
    }
    // The connection may have left the room while the claim was on its way: then give it back.
    if (!connection.chats.has(room)) {
      await this.letGo(connection, room, name);
      throw new GhostError(ErrorCode.NOT_IDENTIFIED, `Left ${JSON.stringify(room)} before the name was claimed`);
    }
    connection.chats.set(room, name);
    if (held !== undefined && nameKey(room, held) !== nameKey(room, name)) await this.letGo(connection, room, held);
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
    const seq = await this.store.append(stream(room), JSON.stringify(stamped), this.options.historySize, this.options.historyTtlMs);
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
    await Promise.all([name === undefined ? undefined : this.letGo(connection, room, name), this.syncBus(room)]);
  }

  /** Leaves every room of a connection that ended, releasing its names. */
  async drop(connection: Connection): Promise<void> {
    await Promise.all([...connection.chats.keys()].map((room) => this.leave(connection, room)));
  }

  close(): void {
    clearInterval(this.renewal);
  }

  /**
   * Gives back a name `connection` no longer speaks under in `room`. A connection's own name goes at
   * once. A user's name stays while another of their connections here speaks under it; when none
   * does, this node cannot see whether one elsewhere does, so the claim is cut short to two renewal
   * periods instead of released: a holder on another node renews it within one, and without one it
   * lapses by itself.
   */
  private async letGo(connection: Connection, room: string, name: string): Promise<void> {
    const key = nameKey(room, name);
    const owner = ownerOf(connection);
    if (!connection.user) return this.store.release(key, owner);
    for (const other of this.readers.get(room) ?? []) {
      const spoken = other.chats.get(room);
      if (other !== connection && spoken !== undefined && ownerOf(other) === owner && nameKey(room, spoken) === key) return;
    }
    await this.store.claim(key, owner, 2 * this.renewalMs);
  }

  private get renewalMs(): number {
    return Math.max(10, this.options.claimTtlMs / 3);
  }

  private syncBus(room: string): Promise<void> {
    return this.cluster.sync(channels.chat(this.cluster.prefix, room), () => this.readers.has(room), (envelope) => {
      if (envelope.kind === 'chat') this.deliver(envelope.room, envelope.frame);
    });
  }

  private deliver(room: string, frame: string): void {
    for (const connection of this.readers.get(room) ?? []) connection.send(frame, { buffer: true });
  }

  // Names live as long as their holders: renewed while one is connected or within its grace period,
  // so a crashed node's names expire by themselves. Each node renews its own holders' names.
  private renewClaims(): void {
    for (const [room, set] of this.readers) {
      const renewed = new Set<string>();
      for (const connection of set) {
        const name = connection.chats.get(room);
        if (name === undefined) continue;
        const key = nameKey(room, name);
        const owner = ownerOf(connection);
        if (renewed.has(`${owner} ${key}`)) continue;
        renewed.add(`${owner} ${key}`);
        this.store.claim(key, owner, this.options.claimTtlMs).then(
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

/**
 * Who holds a name: the user when the hub authenticates, so two tabs of one user share it, otherwise
 * the connection. The prefixes keep a user id from ever matching a connection id.
 */
function ownerOf(connection: Connection): string {
  return connection.user ? `user:${connection.user.id}` : `connection:${connection.id}`;
}

function stream(room: string): string {
  return `chat:{${room}}:history`;
}
