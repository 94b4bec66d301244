import { Logger } from '@nestjs/common';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type { Pool } from 'pg';
import type { AppConfig } from '../config/app-config';
import { isConnectionError } from './database-errors';
import type { Database, OpenedDatabase } from './database.types';
import * as schema from './schema';
import { StatementPool } from './statement-pool';

/** Any constant: serialises migrations of several API processes sharing one PostgreSQL. */
const MIGRATION_LOCK_ID = 0x4845524c; // "HERL"
const CONNECT_ATTEMPTS = 5;

const logger = new Logger('Database');

/**
 * Opens a node-postgres pool on DATABASE_URL and applies pending migrations, retrying for a
 * few seconds while the server is still coming up.
 */
export async function openPostgres(
  config: Extract<AppConfig['database'], { kind: 'postgres' }>,
  migrationsFolder: string,
): Promise<OpenedDatabase> {
  const pool = new StatementPool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', (error) =>
    logger.warn({ msg: 'Idle PostgreSQL client error', err: error.message }),
  );
  try {
    await withRetries(() => migrateUnderLock(pool, migrationsFolder));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const db = drizzle(pool, { schema });
  return { engine: 'postgres', db: db as unknown as Database, close: () => pool.end() };
}

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so several API
 * processes starting together against one server never apply the same migration twice.
 */
async function migrateUnderLock(pool: Pool, folder: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await migrate(drizzle(client), { migrationsFolder: folder });
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID])
        .catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

/** A server that is still booting (containers starting together) gets a few seconds. */
async function withRetries(work: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isConnectionError(error) || attempt >= CONNECT_ATTEMPTS) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`Cannot open the PostgreSQL database (DATABASE_URL): ${reason}`, {
          cause: error,
        });
      }
      logger.warn({
        msg: `PostgreSQL not reachable, retrying (${attempt}/${CONNECT_ATTEMPTS})`,
      });
      await new Promise((r) => setTimeout(r, attempt * 1_000));
    }
  }
}
