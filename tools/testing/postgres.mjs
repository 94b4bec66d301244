import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The machine's PostgreSQL server (an admin connection); override with HERALD_TEST_PG_URL. */
export const ADMIN_PG_URL =
  process.env.HERALD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Every scratch database starts with this, so a run's leftovers can be found and dropped. */
export const SCRATCH_DB_PREFIX = 'herald_test_';

async function admin(fn) {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const safe = (part) =>
  String(part)
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');

/**
 * Creates a fresh, empty PostgreSQL database named after the run (and `label`, plus a
 * random suffix so files of one run never collide); `drop()` removes it.
 */
export async function createScratchDatabase(runId, label = 'db') {
  const name = `${SCRATCH_DB_PREFIX}${safe(runId)}_${safe(label)}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => dropDatabase(name) };
}

export async function dropDatabase(name) {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops every scratch database of `runId` that was not dropped by whoever created it. */
export async function dropRunDatabases(runId) {
  const { rows } = await admin((c) =>
    c.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `${SCRATCH_DB_PREFIX}${safe(runId)}\\_%`,
    ]),
  );
  for (const { datname } of rows) await dropDatabase(datname);
}
