import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema';

/**
 * The query interface shared by both engines: PGlite's and node-postgres' Drizzle
 * databases are both a `PgDatabase`, and so is a transaction, so repositories are written
 * once against this type.
 */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseEngine = 'pglite' | 'postgres';

/** An open, migrated database and how to close it. */
export interface OpenedDatabase {
  engine: DatabaseEngine;
  db: Database;
  close: () => Promise<void>;
}
