// The client side of room routing: put the room in the connection URL, where HAProxy hashes it.
import { createClient, type ClientOptions } from '@ghost/client';

/**
 * A client for one room, and that room's presence. `params` is read again on every connection
 * attempt, so after a node dies the reconnect carries the room too and lands, with the rest of the
 * room, on the node that takes over.
 */
export function connectToRoom(url: string, room: string, options: Omit<ClientOptions, 'params'> = {}) {
  const client = createClient(url, { ...options, params: () => ({ room }) });
  return { client, presence: client.presence(room) };
}
