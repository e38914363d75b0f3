// Handlers typed as methods are checked bivariantly, so a WebSocket whose handlers take a narrower
// event type (`ws`, or a subclass of it) still fits.
type Handler<E> = { bivariant(event: E): void }['bivariant'];

/** The part of the WebSocket API Ghost uses, met by the browser's WebSocket and by `ws` alike. */
export interface SocketLike {
  /** `0` connecting, `1` open, `2` closing, `3` closed. */
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Starts the closing handshake with this close code and reason. */
  close(code?: number, reason?: string): void;
  /** Called once the socket is open. */
  onopen: Handler<unknown> | null;
  /** Called with each frame received. */
  onmessage: Handler<{ data: unknown }> | null;
  /** Called once the socket is closed, with the close code and reason. */
  onclose: Handler<{ code: number; reason: string }> | null;
  /** Called when the socket fails; a close always follows. */
  onerror: Handler<unknown> | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in a browser, `ws`'s in Node. */
export type SocketConstructor = new (url: string) => SocketLike;

/** `WebSocket.OPEN`, the same number everywhere. */
export const OPEN = 1;

/**
 * Resolves a hub URL: `ws(s)://` as is, `http(s)://` turned into `ws(s)://`, and a path such as
 * `/ghost` against the page's location in a browser.
 */
export function resolveUrl(url: string): URL {
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError('createClient(url): pass the hub URL, such as "ws://localhost:3000/ghost" or "/ghost" in a browser');
  }
  const base = (globalThis as { location?: { href: string } }).location?.href;
  let resolved: URL;
  try {
    resolved = base ? new URL(url, base) : new URL(url);
  } catch {
    throw new TypeError(`createClient: ${JSON.stringify(url)} is not a URL; outside a browser pass an absolute one such as "ws://localhost:3000/ghost"`);
  }
  if (resolved.protocol === 'http:') resolved.protocol = 'ws:';
  else if (resolved.protocol === 'https:') resolved.protocol = 'wss:';
  if (resolved.protocol !== 'ws:' && resolved.protocol !== 'wss:') {
    throw new TypeError(`createClient: the hub URL must be ws://, wss://, http:// or https://, got ${resolved.protocol}`);
  }
  return resolved;
}
