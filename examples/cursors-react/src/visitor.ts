// Who you are to the server: as in examples/cursors, a random secret kept in localStorage (the hub
// publishes only its hash), and the colour the server made from it.
import type { Cursor, Self } from '@ghost/client';

/** The secret id that makes you the same visitor across reloads. */
export function visitorSecret(): string {
  const key = 'ghost-cursors-visitor';
  const fresh = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  try {
    const kept = localStorage.getItem(key);
    if (kept && /^[A-Za-z0-9_-]{8,64}$/.test(kept)) return kept;
    localStorage.setItem(key, fresh);
  } catch {
    // Storage blocked: a visitor for this page load only.
  }
  return fresh;
}

/** The hub's user of a member: `{ id, color }`, made by the server from the visitor id. */
function visitorOf(member: { user?: unknown }): { id?: unknown; color?: unknown } {
  return typeof member.user === 'object' && member.user !== null ? member.user : {};
}

/** Your public visitor id (the hash the server made), as the panel lists it. */
export function visitorId(member: { user?: unknown }): string | undefined {
  const { id } = visitorOf(member);
  return typeof id === 'string' ? id : undefined;
}

/** A visitor's colour is the same in every tab; the hub's own colour is per connection. */
export function colorOf(member: Pick<Cursor, 'color' | 'user'> | Self): string {
  const { color } = visitorOf(member);
  return typeof color === 'string' ? color : member.color;
}
