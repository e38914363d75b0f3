import type { WebSocket } from 'ws';

/** The TCP socket under a `ws` WebSocket, as far as corking goes. */
type Corkable = { cork(): void; uncork(): void };

const corked = new Set<Corkable>();
/** Numbers the event-loop turns that wrote anything; a turn ends with its check phase. */
let turn = 0;
let turnOpen = false;

function endTurn(): void {
  turnOpen = false;
  for (const raw of corked) raw.uncork();
  corked.clear();
}

/**
 * Called before each frame written to `socket`, with what it returned for that socket's previous
 * frame; returns the number of this turn. A socket's first frame of a turn leaves at once, as with a
 * bare `ws.send` (a fan-out of one frame to each of 1,000 sockets costs what 1,000 sends cost, with no
 * added latency); from its second frame in the same turn on (a burst of publishes, a chat message and
 * its ack) the socket is corked, and those frames leave in one `writev` when the turn's check phase
 * (`setImmediate`) runs, after the I/O callbacks and promise jobs that wrote them. Each frame stays its
 * own WebSocket frame.
 */
export function writeWithinTurn(socket: WebSocket, previousTurn: number): number {
  if (!turnOpen) {
    turnOpen = true;
    turn += 1;
    setImmediate(endTurn);
  } else if (previousTurn === turn) {
    const raw = (socket as unknown as { _socket?: Corkable | null })._socket;
    if (raw && !corked.has(raw)) {
      raw.cork();
      corked.add(raw);
    }
  }
  return turn;
}
