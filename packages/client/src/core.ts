import type { ClientMessage } from '@ghost/protocol';

/** A client message without the `ref` the client adds itself. */
export type Outgoing = ClientMessage extends infer M ? (M extends ClientMessage ? Omit<M, 'ref'> : never) : never;

/** Who this client is, as the hub's welcome said. */
export interface Self {
  /** The connection id, stable across reconnects within the hub's grace period. */
  id: string;
  /**
   * Your id as a presence member, the `id` others see for you in `others`: your connection id, or your
   * user id when the hub keys presence by user (`presenceKey: 'user'`).
   */
  member: string;
  /** A CSS colour assigned by the hub. */
  color: string;
  /** The user `authenticate` returned, when the hub authenticates. */
  user?: unknown;
}

/** What handles need of the client: the one seam between them and the socket. */
export interface ClientCore {
  readonly self: Self | null;
  /** Sends now if open; otherwise drops it, since handles restore their state on every reconnection. */
  notify(message: Outgoing): void;
  /**
   * Sends a request and resolves with the hub's ack; waits in the outbox while offline. `onAnswer`
   * gets the ack's result at once, before the frames that came with it in the same chunk are handled
   * (a promise's `then` runs only after them).
   */
  request(message: Outgoing, onAnswer?: (result: unknown) => void): Promise<unknown>;
  reportError(error: unknown): void;
}
