import type { ChatMessage } from '@ghost/protocol';
import type { ClientCore } from '../core.js';
import { SafeEmitter } from '../safe-emitter.js';

/** Events of a chat room; `on` returns the function that stops listening. */
export interface ChatEvents {
  /** A new message in the room, yours included (history is not replayed as events). */
  message: (message: ChatMessage) => void;
  /** The room's history arrived (on join, and again after each reconnect); `history` is up to date. */
  history: (history: readonly ChatMessage[]) => void;
}

/**
 * A chat room: read it, claim a name, say things. The first `on`, `identify`, `send` or read of
 * `history` joins the room. Get one with `client.chat(room)`.
 */
export class ChatHandle {
  private readonly events = new SafeEmitter<ChatEvents>((thrown) => this.core.reportError(thrown));
  private messages: readonly ChatMessage[] = Object.freeze([]);
  private joined = false;
  private claimed: string | undefined;
  private historyLoaded = false;
  // Messages are told apart by id, not by sequence: across nodes they may arrive out of sequence
  // order, and a hub on the memory adapter that restarts numbers its rooms from 1 again.
  private readonly seen = new Set<string>();

  /** @internal */
  constructor(
    private readonly core: ClientCore,
    /** The chat room's name. */
    readonly room: string,
    private readonly historyLimit: number,
  ) {}

  /** The last messages of the room, oldest first: filled on join, then kept up to date. */
  get history(): readonly ChatMessage[] {
    this.join();
    return this.messages;
  }

  /** The name you hold in this room, once `identify` succeeded. */
  get name(): string | undefined {
    return this.claimed;
  }

  /**
   * Claims a name in this room; rejects with a `GhostError` whose code is `NAME_TAKEN` when someone
   * else holds it. The name is reclaimed by itself after a reconnect.
   *
   * @example
   * await client.chat('fishing').identify('fishing_beast_5000');
   */
  async identify(name: string): Promise<string> {
    this.join();
    const result = (await this.core.request({ type: 'chat.identify', room: this.room, name })) as { name: string };
    this.claimed = result.name;
    return result.name;
  }

  /** Says something; resolves with the message as the hub stamped it (user, time, sequence). */
  send(text: string): Promise<ChatMessage> {
    this.join();
    return this.core.request({ type: 'chat.send', room: this.room, text }) as Promise<ChatMessage>;
  }

  /** Listens to a room event; returns the function that stops listening. */
  on<E extends keyof ChatEvents>(event: E, listener: ChatEvents[E]): () => void {
    this.join();
    this.events.on(event, listener as never);
    return () => void this.events.off(event, listener as never);
  }

  /** Leaves the room and gives the name back. */
  leave(): void {
    if (!this.joined) return;
    this.joined = false;
    this.claimed = undefined;
    this.core.notify({ type: 'chat.leave', room: this.room });
  }

  /** @internal Called on each (re)connection: join again and reclaim the name we had. */
  restore(): void {
    if (!this.joined) return;
    this.core.notify({ type: 'chat.join', room: this.room });
    if (this.claimed === undefined) return;
    const name = this.claimed;
    this.core.request({ type: 'chat.identify', room: this.room, name }).catch((error: unknown) => {
      // Someone took the name while we were away: say so through the client's `error` event.
      if (this.claimed === name) this.claimed = undefined;
      this.core.reportError(error);
    });
  }

  /** @internal The room's last messages: silently on the first join, as events for what was missed after. */
  applyHistory(messages: ChatMessage[]): void {
    if (!this.joined) return;
    const first = !this.historyLoaded;
    this.historyLoaded = true;
    const fresh = messages.filter((m) => !this.seen.has(m.id));
    // On the first join, a live message can arrive before the history it follows.
    this.keep(fresh, first);
    if (!first) for (const message of fresh) this.events.emit('message', message);
    this.events.emit('history', this.messages);
  }

  /** @internal */
  applyMessage(message: ChatMessage): void {
    if (!this.joined || this.seen.has(message.id)) return; // already have it (resent history)
    this.keep([message]);
    this.events.emit('message', message);
  }

  private join(): void {
    if (this.joined) return;
    this.joined = true;
    this.core.notify({ type: 'chat.join', room: this.room });
  }

  private keep(messages: ChatMessage[], older = false): void {
    if (messages.length === 0) return;
    for (const message of messages) this.seen.add(message.id);
    const all = older ? [...messages, ...this.messages] : [...this.messages, ...messages];
    this.messages = Object.freeze(all.slice(-this.historyLimit));
    // Remember ids a while longer than the history holds, so a late duplicate is still recognised.
    if (this.seen.size > this.historyLimit * 4) {
      const keep = new Set(this.messages.map((m) => m.id));
      for (const id of this.seen) if (!keep.has(id) && this.seen.size > this.historyLimit * 2) this.seen.delete(id);
    }
  }
}
