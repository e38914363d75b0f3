// The active-users tests run once per database: PGlite (in memory, always there) and a real
// PostgreSQL through `pg`. Each PostgreSQL run gets a table of its own, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { it } from 'vitest';
import { openDb, type DbOptions } from '@ghost-examples/shared/cursors/db';

export const POSTGRES_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
/** A port nothing listens on: the database is "down". */
export const CLOSED_URL = 'postgres://postgres@127.0.0.1:1/test';
const inCI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const HOW =
  'start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` ' +
  '(install it with `apt-get install -y postgresql`; trust auth on 127.0.0.1, database `test`), or set DATABASE_URL';

/** Why PostgreSQL cannot be used at POSTGRES_URL, or undefined when it can. */
async function postgresProblem(): Promise<string | undefined> {
  const db = openDb({ url: POSTGRES_URL });
  try {
    await db.query('SELECT 1');
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return `PostgreSQL at ${POSTGRES_URL} is not usable (${[code, message].filter(Boolean).join(' ')}): ${HOW}`;
  } finally {
    await db.close().catch(() => undefined);
  }
}

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Why it cannot run here; undefined when it can. */
  problem: string | undefined;
  /** The demo's options for one test run: a fresh table. */
  options(): { database: DbOptions; table: string };
  /** Drops the tables `options` handed out. */
  cleanup(): Promise<void>;
}

function backend(name: Backend['name'], problem: string | undefined): Backend {
  const tables: string[] = [];
  return {
    name,
    problem,
    options() {
      const table = `ghost_visitors_test_${randomBytes(6).toString('hex')}`;
      tables.push(table);
      return { database: name === 'postgres' ? { url: POSTGRES_URL } : {}, table };
    },
    async cleanup() {
      if (name !== 'postgres' || tables.length === 0) return; // PGlite in memory goes with its demo
      const db = openDb({ url: POSTGRES_URL });
      try {
        for (const table of tables.splice(0)) await db.query(`DROP TABLE IF EXISTS ${table}`);
      } finally {
        await db.close();
      }
    },
  };
}

/** Both databases; PostgreSQL's `problem` says how to start it when it is not there. */
export async function backends(): Promise<Backend[]> {
  return [backend('pglite', undefined), backend('postgres', await postgresProblem())];
}

/** For a backend that cannot run: one test that skips with the reason, or fails with it in CI. */
export function needsBackend(backend: Backend): void {
  const { problem } = backend;
  if (!problem) return;
  it(`needs ${backend.name}`, (context) => {
    if (!inCI) {
      console.warn(`Skipping the ${backend.name} variant: ${problem}`);
      context.skip(problem);
    }
    throw new Error(problem);
  });
}
