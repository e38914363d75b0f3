import type { IncomingMessage } from 'node:http';

/**
 * The client's address: the socket's peer, or behind `hops` trusted proxies the entry of
 * `X-Forwarded-For` that the outermost trusted proxy saw. Entries further left were written by the
 * client itself and prove nothing.
 */
export function clientAddress(request: IncomingMessage, hops: number): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (hops <= 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return chain[chain.length - hops] ?? chain[0] ?? peer;
}
