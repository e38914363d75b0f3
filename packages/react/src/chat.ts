import { useSyncExternalStore } from 'react';
import type { ChatHandle, ChatMessage, GhostClient } from '@ghost/client';
import { leasesOf } from './leases.js';
import { useClient } from './provider.js';

/** What {@link useChat} returns: the room's messages, your name in it, and what you can do there. */
export interface ChatRoom {
  /** The last messages of the room, oldest first (history on join, then each new one). */
  readonly messages: readonly ChatMessage[];
  /** The name you hold in the room, once `identify` succeeded. */
  readonly name: string | undefined;
  /** Claims a name; rejects with a `GhostError` whose code is `NAME_TAKEN` when someone holds it. */
  identify(name: string): Promise<string>;
  /** Says something; resolves with the message as the hub stamped it. */
  send(text: string): Promise<ChatMessage>;
}

interface ChatStore {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): ChatRoom;
}

const NO_MESSAGES: readonly ChatMessage[] = Object.freeze([]);
const stores = new WeakMap<ChatHandle, ChatStore>();

function chatStore(client: GhostClient, room: string): ChatStore {
  const chat = client.chat(room);
  let store = stores.get(chat);
  if (store) return store;
  const key = `chat:${room}`;
  const listeners = new Set<() => void>();
  const changed = () => {
    for (const listener of [...listeners]) listener();
  };
  const actions = {
    // The name changes when a claim is answered, which no chat event tells.
    identify: (name: string) => chat.identify(name).finally(changed),
    send: (text: string) => chat.send(text),
  };
  let snapshot: ChatRoom = { messages: NO_MESSAGES, name: undefined, ...actions };
  store = {
    subscribe(onChange) {
      const lease = leasesOf(client).take(key, () => ({ value: undefined, close: () => chat.leave() }));
      listeners.add(onChange);
      // A name lost across a reconnect is only seen again once the client is back: re-read on status.
      const offs = [chat.on('message', onChange), chat.on('history', onChange), client.on('status', onChange)];
      return () => {
        listeners.delete(onChange);
        for (const off of offs) off();
        lease.release();
      };
    },
    getSnapshot() {
      // Reading `history` joins the room: not while rendering a component that has not mounted yet.
      const messages = leasesOf(client).has(key) ? chat.history : NO_MESSAGES;
      if (messages !== snapshot.messages || chat.name !== snapshot.name) snapshot = { messages, name: chat.name, ...actions };
      return snapshot;
    },
  };
  stores.set(chat, store);
  return store;
}

/**
 * The chat room `room`: its messages, your name in it, `identify` and `send`. The room is joined
 * while a component uses it and left (giving your name back) a task after the last one unmounts.
 *
 * @example
 * const { messages, name, identify, send } = useChat('lobby');
 * if (!name) return <button onClick={() => void identify('Ada')}>Join as Ada</button>;
 * return <>{messages.map((m) => <p key={m.id}>{m.user}: {m.text}</p>)}<button onClick={() => void send('hi')}>Say hi</button></>;
 */
export function useChat(room: string): ChatRoom {
  const store = chatStore(useClient(), room);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
}
