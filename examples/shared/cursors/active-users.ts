// The active-users panel, server side: who each connection is (`visitorFrom`, the hub's
// `authenticate`), one row per visitor written on the hub's `connection` and `disconnect` hooks, and
// the most recent visitors published on the `active-users` topic after each change. The database
// is never on the realtime path: its writes are queued behind the hooks, and a failure is logged and
// shown as "unavailable" in the panel, never thrown at a socket.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GhostUser, Hub } from '@ghost/server';
import type { Db } from './db.js';
import type { ActiveUser, ActiveUsersFeed } from './feed.js';

/** Who a connection is: the user `authenticate` returns, public (others see it in presence). */
export interface Visitor extends GhostUser {
  color: string;
  name?: string;
}

const SECRET = /^[A-Za-z0-9_-]{8,64}$/;
const NAME = /^[^\p{C}]{1,40}$/u;
const TABLE = /^[a-z_][a-z0-9_]{0,49}$/;

/**
 * The visitor of an upgrade request, from its `visitor` param: the random id the page keeps in
 * localStorage. That id is a secret (whoever sends it is that visitor), so the public id is a hash
 * of it. A missing or malformed one gets a fresh anonymous id. An optional `name` param is kept too.
 */
export function visitorFrom(request: IncomingMessage): Visitor {
  const params = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const secret = params.get('visitor');
  const id = secret && SECRET.test(secret) ? hash(secret).toString('base64url').slice(0, 16) : `anon-${randomBytes(8).toString('base64url')}`;
  const name = params.get('name')?.trim();
  return { id, color: colorOf(id), ...(name && NAME.test(name) ? { name } : {}) };
}

/** A visitor's colour, the same on every connection and tab: the hub's are per connection. */
export function colorOf(id: string): string {
  return `hsl(${hash(id).readUInt16BE(0) % 360} 75% 45%)`;
}

function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The SQL, the same for PGlite and PostgreSQL. `table` is checked against TABLE before use. */
function statements(table: string) {
  return {
    schema: [
      `CREATE TABLE IF NOT EXISTS ${table} (
        visitor_id text PRIMARY KEY,
        name text,
        color text NOT NULL,
        first_seen timestamptz NOT NULL DEFAULT now(),
        last_seen timestamptz NOT NULL DEFAULT now(),
        online boolean NOT NULL DEFAULT false
      )`,
      `CREATE INDEX IF NOT EXISTS ${table}_recent ON ${table} (online DESC, last_seen DESC)`,
    ],
    // One statement for both hooks: a reload (disconnect, then connection) keeps the row and first_seen.
    save: `INSERT INTO ${table} AS v (visitor_id, name, color, online) VALUES ($1, $2, $3, $4)
      ON CONFLICT (visitor_id) DO UPDATE
      SET name = COALESCE(EXCLUDED.name, v.name), color = EXCLUDED.color, online = EXCLUDED.online, last_seen = now()`,
    // At start, and after a failure: whoever this process does not count as connected is offline.
    offline: `UPDATE ${table} SET online = false WHERE online AND NOT (visitor_id = ANY($1::text[]))`,
    recent: `SELECT visitor_id, name, color, first_seen, last_seen, online FROM ${table}
      ORDER BY online DESC, last_seen DESC, visitor_id LIMIT $1`,
  };
}

interface Row { visitor_id: string; name: string | null; color: string; first_seen: Date | string; last_seen: Date | string; online: boolean }

/** Options of {@link ActiveUsers}. */
export interface ActiveUsersOptions {
  /** The table (created if missing): a lowercase SQL identifier. @default 'ghost_visitors' */
  table?: string;
  /** How many visitors the list shows. @default 20 */
  limit?: number;
}

/** Keeps the visitors table in step with the hub's connections and publishes the list on each change. */
export class ActiveUsers {
  // Open connections per visitor on this process: online = at least one (a second tab closing leaves you online).
  private readonly visitors = new Map<string, { user: Visitor; connections: number }>();
  private readonly sql: ReturnType<typeof statements>;
  private readonly limit: number;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private synced = false; // the table exists and its online flags match `visitors`
  private healthy = true;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private rev = 0;
  private feed: ActiveUsersFeed = { rev: 0, available: false, users: [] };

  /** Settles once the database answered for the first time (true), or failed to (false). */
  readonly ready: Promise<boolean>;

  constructor(private readonly db: Db, private readonly hub: Hub, options: ActiveUsersOptions = {}) {
    const table = options.table ?? 'ghost_visitors';
    if (!TABLE.test(table)) throw new TypeError(`ActiveUsers: table must match ${TABLE}, got ${JSON.stringify(table)}`);
    this.sql = statements(table);
    this.limit = options.limit ?? 20;
    hub.on('connection', ({ user }) => this.count(user as Visitor | undefined, 1));
    hub.on('disconnect', ({ user }) => this.count(user as Visitor | undefined, -1));
    this.enqueue(undefined); // the schema, and the first list
    this.ready = this.queue.then(() => this.healthy);
  }

  /** The list, once every write queued so far is done (so a newcomer's GET includes itself). */
  current(): Promise<ActiveUsersFeed> {
    return this.queue.then(() => this.feed);
  }

  /** Finishes the queued writes (a closing hub's disconnects included) and closes the database. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    clearTimeout(this.retry);
    await this.db.close();
  }

  private count(user: Visitor | undefined, delta: 1 | -1): void {
    if (!user) return;
    const entry = this.visitors.get(user.id) ?? { user, connections: 0 };
    entry.user = user;
    entry.connections += delta;
    if (entry.connections > 0) this.visitors.set(user.id, entry);
    else this.visitors.delete(user.id);
    this.enqueue({ user, online: entry.connections > 0 });
  }

  // Writes run one at a time, in the order of the hooks; the list is read and published once the queue drains.
  private enqueue(write: { user: Visitor; online: boolean } | undefined): void {
    this.pending += 1;
    this.queue = this.queue.then(async () => {
      try {
        if (!this.synced) await this.sync();
        if (write) await this.save(write.user, write.online);
        this.up();
      } catch (error) {
        this.down(error);
      }
      this.pending -= 1;
      if (this.pending === 0) await this.publish();
    });
  }

  private async sync(): Promise<void> {
    for (const statement of this.sql.schema) await this.db.query(statement);
    for (const { user } of this.visitors.values()) await this.save(user, true);
    await this.db.query(this.sql.offline, [[...this.visitors.keys()]]);
    this.synced = true;
  }

  private save(user: Visitor, online: boolean): Promise<unknown> {
    return this.db.query(this.sql.save, [user.id, user.name ?? null, user.color, online]);
  }

  private async publish(): Promise<void> {
    let users: ActiveUser[] | undefined;
    if (this.healthy) {
      try {
        users = (await this.db.query<Row>(this.sql.recent, [this.limit])).map(toUser);
      } catch (error) {
        this.down(error);
      }
    }
    this.rev = Math.max(Date.now(), this.rev + 1);
    this.feed = { rev: this.rev, available: !!users, users: users ?? [] };
    if (this.closed) return;
    await this.hub.publish('active-users', this.feed).catch((error: Error) => console.error('[active-users] publish failed:', error.message));
  }

  private up(): void {
    if (!this.healthy) console.log(`[active-users] ${this.db.kind} answers again`);
    this.healthy = true;
  }

  private down(error: unknown): void {
    this.synced = false;
    if (this.healthy) console.error(`[active-users] ${this.db.kind} failed, the panel shows "unavailable" until it answers: ${describe(error)}`);
    this.healthy = false;
    // Try again by itself, not only on the next connection or disconnect.
    if (!this.retry && !this.closed) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        if (!this.closed) this.enqueue(undefined);
      }, 5_000).unref();
    }
  }
}

// A refused connection to "localhost" is an AggregateError with an empty message: name its code.
function describe(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return [code, message].filter((part) => typeof part === 'string' && part).join(' ') || String(error);
}

function toUser(row: Row): ActiveUser {
  return {
    id: row.visitor_id,
    name: row.name,
    color: row.color,
    firstSeen: new Date(row.first_seen).toISOString(),
    lastSeen: new Date(row.last_seen).toISOString(),
    online: row.online,
  };
}
