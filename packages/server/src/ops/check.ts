import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Decides whether a request may use the operations endpoints (HTTP API, metrics, inspector feed):
 * `true` lets it through, `false` refuses it with 403, `null` (no credentials at all) with 401. Sync
 * or async; a check that throws refuses with 403.
 *
 * @example
 * // Staff only, by the app's own session cookie:
 * const check: OpsCheck = async (request) => {
 *   const user = await sessionUser(request);
 *   return user ? user.role === 'staff' : null;
 * };
 */
export type OpsCheck = (request: IncomingMessage) => boolean | null | Promise<boolean | null>;

/** Shortest token accepted: a guessable token on an endpoint that can disconnect anyone is worse than none. */
export const MIN_TOKEN_LENGTH = 16;

/** The default check: `Authorization: Bearer <token>`, compared in constant time. */
export function bearerCheck(token: string): OpsCheck {
  const expected = digest(token);
  return (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    // Hashing first gives equal lengths, so the comparison itself reveals nothing about the token.
    return timingSafeEqual(digest(match[1]!), expected);
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

const TICKET_TTL_MS = 30_000;
const MAX_TICKETS = 256;

/**
 * One-use tickets for the inspector's live socket. A browser cannot put an `Authorization` header on
 * a WebSocket, so the page first asks for a ticket over `fetch` (which passes the check like any API
 * call) and opens the socket with it; a ticket in a URL is harmless once used or 30 s old.
 */
export class Tickets {
  private readonly issued = new Map<string, number>();

  issue(): string {
    this.prune();
    if (this.issued.size >= MAX_TICKETS) this.issued.delete(this.issued.keys().next().value!);
    const ticket = randomBytes(24).toString('base64url');
    this.issued.set(ticket, Date.now() + TICKET_TTL_MS);
    return ticket;
  }

  redeem(ticket: string | null): boolean {
    if (ticket === null) return false;
    const expires = this.issued.get(ticket);
    this.issued.delete(ticket);
    return expires !== undefined && expires > Date.now();
  }

  private prune(): void {
    const now = Date.now();
    for (const [ticket, expires] of this.issued) if (expires <= now) this.issued.delete(ticket);
  }
}
