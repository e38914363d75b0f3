// What the server sends the active-users panel, on the `active-users` topic and from
// GET /api/active-users. Types only: shared by server.ts and the page.

/** One visitor as the panel shows it. */
export interface ActiveUser {
  /** The public visitor id (never the secret the page keeps). */
  id: string;
  /** A name the visitor gave, if any: show the id otherwise. */
  name: string | null;
  /** Their cursor colour, a CSS colour made from the id. */
  color: string;
  /** ISO 8601 times. */
  firstSeen: string;
  lastSeen: string;
  /** Has at least one open connection (any tab). */
  online: boolean;
}

/**
 * The most recent visitors, online ones first. `rev` grows with each list the server makes (it is
 * a timestamp, so it keeps growing across restarts): a page keeps the newest it was given, whichever
 * way it came. `available` is false while the database fails; `users` is empty then.
 */
export interface ActiveUsersFeed {
  rev: number;
  available: boolean;
  users: ActiveUser[];
}
