// What the demo pages share (bundled into each page): elements made from text, never from HTML, and
// the connection status badge.
import type { ClientStatus, GhostClient } from '@ghost/client';

/** The element with this id; index.html must have it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`index.html has no #${id}`);
  return found as T;
}

/** An element with `text` as its text: set with textContent, so never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

/** A `<time>` showing `ts` (milliseconds) as a local time of day. */
export function timeOf(ts: number, options: Intl.DateTimeFormatOptions = {}): HTMLTimeElement {
  const time = el('time', new Date(ts).toLocaleTimeString([], options));
  time.dateTime = new Date(ts).toISOString();
  return time;
}

// "connected", not "online" (people are online: the cursor demo counts them) nor "open" (a socket's word).
const LABELS: Record<ClientStatus, string> = { connecting: 'connecting…', open: 'connected', reconnecting: 'reconnecting…', closed: 'disconnected' };

/** The connection badge's word for a client status, the same in every demo: `open` is "connected". */
export function statusLabel(status: ClientStatus): string {
  return LABELS[status];
}

/** Keeps `#status` showing the client's status: "connected", or "reconnecting…" while the link is down. */
export function statusBadge(client: GhostClient, onChange?: (status: ClientStatus) => void): void {
  const badge = byId('status');
  const show = (status: ClientStatus) => {
    badge.textContent = statusLabel(status);
    badge.dataset.status = status;
    onChange?.(status);
  };
  show(client.status);
  client.on('status', show);
}
