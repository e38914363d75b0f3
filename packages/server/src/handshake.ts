import type { IncomingMessage } from 'node:http';
import { CloseCode, PROTOCOL_VERSION } from '@ghost/protocol';
import type { GhostUser, ResolvedHubOptions } from './options.js';

/** The outcome of checking an upgrade request: a user (or anonymous), or why the client is refused. */
export type HandshakeResult =
  | { ok: true; user: GhostUser | undefined; resume: { id: string; secret: string } | undefined; clientId: string | undefined; protocol: number }
  | { ok: false; code: number; reason: string };

/**
 * The protocol versions this hub speaks, oldest first. Version 1 is still served during a deploy:
 * pages holding an old client bundle reconnect to a new hub, and get diffs without their own entries.
 */
export const SPOKEN_VERSIONS: readonly number[] = [1, PROTOCOL_VERSION];

/**
 * Checks an upgrade request before any socket exists: protocol version (`v`, optional for raw
 * clients, who then get version 1: a client written before version 2 without `v` works unchanged),
 * then `authenticate`. A refusal becomes a close code after the upgrade rather than an HTTP
 * status, because a browser cannot read the status of a refused upgrade and would retry forever.
 */
export async function handshake(request: IncomingMessage, options: ResolvedHubOptions): Promise<HandshakeResult> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const origin = request.headers.origin;
  if (origin !== undefined && options.origins && !originAllowed(options.origins, origin)) {
    return { ok: false, code: CloseCode.FORBIDDEN, reason: `origin ${origin.slice(0, 100)} is not allowed` };
  }
  const version = url.searchParams.get('v');
  const protocol = version === null ? SPOKEN_VERSIONS[0] : SPOKEN_VERSIONS.find((v) => String(v) === version);
  if (protocol === undefined) {
    return {
      ok: false,
      code: CloseCode.VERSION_MISMATCH,
      reason: `protocol version ${version!.slice(0, 16)} is not supported; this hub speaks ${SPOKEN_VERSIONS.join(' and ')}`,
    };
  }
  let user: GhostUser | undefined;
  if (options.authenticate) {
    let result: GhostUser | null;
    try {
      result = await options.authenticate(request);
    } catch (error) {
      return { ok: false, code: CloseCode.INTERNAL, reason: 'authenticate failed' };
    }
    if (result === null || result === undefined) return { ok: false, code: CloseCode.UNAUTHORIZED, reason: 'unauthorized' };
    if (typeof result !== 'object' || typeof result.id !== 'string' || result.id.length === 0 || result.id.length > 256) {
      return { ok: false, code: CloseCode.INTERNAL, reason: 'authenticate must return { id: string (1 to 256 characters), ... } or null' };
    }
    user = result;
  }
  const token = url.searchParams.get('resume');
  const dot = token ? token.indexOf('.') : -1;
  const resume = token && dot > 0 ? { id: token.slice(0, dot), secret: token.slice(dot + 1) } : undefined;
  // The client instance's own id: it names its requests across sessions and nodes (resend dedupe).
  const client = url.searchParams.get('client');
  const clientId = client && /^[A-Za-z0-9_-]{8,64}$/.test(client) ? client : undefined;
  return { ok: true, user, resume, clientId, protocol };
}

function originAllowed(allowed: (origin: string) => boolean, origin: string): boolean {
  try {
    return allowed(origin) === true;
  } catch {
    return false; // a throwing check refuses rather than lets a stranger in
  }
}
