import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL server; override with HERALD_TEST_PG_URL. */
export const ADMIN_PG_URL =
  process.env['HERALD_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Every database a run creates starts with this, so teardown can find leftovers. */
export const TEST_DB_PREFIX = 'herald_e2e_';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh, empty PostgreSQL database for one test file; `drop()` removes it. */
export async function createTestDatabase(runId: string): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${runId}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops every database this run created and did not drop itself. */
export async function dropRunDatabases(runId: string): Promise<void> {
  const { rows } = await admin((c) =>
    c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${TEST_DB_PREFIX}${runId}_%`,
    ]),
  );
  for (const { datname } of rows) await dropDatabase(datname);
}
