import type { WebSocket } from 'ws';

/** The parts of a `ws` WebSocket a prepared frame is written through; private to ws, so checked on use. */
interface WsInternals {
  _socket?: { write(bytes: Buffer): boolean } | null;
  _sender?: { _state?: unknown; _queue?: unknown[] } | null;
}

/** ws's Sender state while it is not busy (compressing, or reading a Blob) and writes straight through. */
const SENDER_IDLE = 0;
const TEXT = { binary: false };

let lastText = '';
let lastFrame = Buffer.alloc(0);

/**
 * A text message as a server writes it on the wire: final, unmasked, uncompressed (RFC 6455 §5.2),
 * header and payload in one buffer. A broadcast writes the same text to every recipient in a row, so
 * the bytes are built once for the run. Through `ws.send` each recipient cost a header buffer, a
 * two-chunk `writev` and its bookkeeping: in the cursor benchmark ~40 MB/s of garbage and the scavenges
 * that come with it.
 */
function textFrameOf(text: string): Buffer {
  if (text === lastText) return lastFrame;
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (head === 2) {
    frame[1] = length;
  } else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, head, 'utf8');
  lastText = text;
  lastFrame = frame;
  return frame;
}

/**
 * Writes a text message to an open socket. The prepared frame goes straight to the TCP socket while ws's
 * sender is idle, which it always is on the hub (no permessage-deflate, no Blobs), so frames keep their
 * order with the pings and closes ws writes; otherwise, or should ws's internals ever change shape, the
 * message goes through `ws.send`.
 */
export function writeText(socket: WebSocket, text: string): void {
  const { _socket: raw, _sender: sender } = socket as unknown as WsInternals;
  if (raw && sender?._state === SENDER_IDLE && sender._queue?.length === 0) raw.write(textFrameOf(text));
  else socket.send(text, TEXT);
}
