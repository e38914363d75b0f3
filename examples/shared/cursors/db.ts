// The database behind the active-users panel: PostgreSQL either way, so the same SQL runs on both.
// PGlite (Postgres compiled to WebAssembly, inside this process) by default; a real server through
// `pg` when given a connection string. Each is loaded only when chosen.

/** All the panel needs of a database. */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** Runs one statement with `$1`-style parameters and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

/** Where the data lives: `url` (postgres://…) for a server, else PGlite in `dataDir`, or in memory. */
export interface DbOptions {
  url?: string | undefined;
  dataDir?: string | undefined;
}

/** Opens the database without waiting for it: the first query waits, and fails if it cannot be had. */
export function openDb({ url, dataDir }: DbOptions = {}): Db {
  return url ? postgres(url) : pglite(dataDir);
}

function pglite(dataDir: string | undefined): Db {
  // Starting takes ~1.5 s in memory (it runs initdb), ~0.3 s from an existing dataDir.
  const started = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(dataDir ? { dataDir } : {}));
  started.catch(() => undefined); // reported by the first query
  return {
    kind: 'pglite',
    async query<Row>(sql: string, params: unknown[] = []) {
      return (await (await started).query<Row>(sql, params)).rows;
    },
    async close() {
      const db = await started.catch(() => undefined);
      if (db && !db.closed) await db.close();
    },
  };
}

function postgres(url: string): Db {
  const pool = import('pg').then(({ default: pg }) => {
    const created = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 3_000, query_timeout: 5_000 });
    // An idle client that loses its server emits 'error' on the pool: unheard, it would end the process.
    created.on('error', (error) => console.error('[active-users] postgres:', error.message));
    return created;
  });
  return {
    kind: 'postgres',
    async query<Row>(sql: string, params: unknown[] = []) {
      return (await (await pool).query(sql, params)).rows as Row[];
    },
    async close() {
      await (await pool).end();
    },
  };
}
