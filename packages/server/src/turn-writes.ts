import type { WebSocket } from 'ws';

/** The TCP socket under a `ws` WebSocket, as far as corking goes. */
type Corkable = { cork(): void; uncork(): void };

const corked = new Set<Corkable>();
let flushScheduled = false;

function uncorkAll(): void {
  flushScheduled = false;
  for (const raw of corked) raw.uncork();
  corked.clear();
}

/**
 * Holds a socket's writes until the end of this event-loop turn, so that several frames bound for it
 * (a burst of publishes, a chat message and its ack) leave in one `writev` instead of one system call
 * each; each frame stays its own WebSocket frame. Released in the turn's check phase (`setImmediate`),
 * after the I/O callbacks and promise jobs that wrote them: no timer, no added latency.
 */
export function writeWithinTurn(socket: WebSocket): void {
  const raw = (socket as unknown as { _socket?: Corkable | null })._socket;
  if (!raw || corked.has(raw)) return;
  raw.cork();
  corked.add(raw);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(uncorkAll);
  }
}
