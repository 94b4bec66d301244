import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import type { HealthCheckResult } from '../health/health.registry';
import { translateDatabaseError } from './database-errors';
import type { Database, DatabaseEngine } from './database.types';

/**
 * Where the drizzle-kit SQL files are at runtime. The webpack build copies them next to the
 * bundle (dist/apps/api/migrations); from sources (unit tests) they sit beside this file.
 */
export function migrationsFolder(): string {
  const candidates = [
    join(__dirname, 'migrations'),
    resolve(__dirname, '../../../src/app/database/migrations'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'meta', '_journal.json')));
  if (!found) throw new Error(`Database migrations not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Owns the one database connection of the process: a single PGlite instance (embedded,
 * on disk in DATA_DIR or in memory, running on a thread of its own so SQL never blocks
 * the sockets) or a node-postgres pool. Opens and migrates it before
 * the application listens, and closes it on shutdown.
 */
export class DatabaseService implements OnApplicationShutdown {
  private static readonly logger = new Logger('Database');
  private closed = false;

  private constructor(
    readonly engine: DatabaseEngine,
    readonly db: Database,
    private readonly close: () => Promise<void>,
  ) {}

  static async open(config: AppConfig['database']): Promise<DatabaseService> {
    const folder = migrationsFolder();
    const started = Date.now();
    // Each engine's driver is loaded only when it is the one configured: a process on the
    // embedded database never holds node-postgres, nor one on PostgreSQL PGlite's modules.
    const { engine, db, close } =
      config.kind === 'postgres'
        ? await import('./postgres-database').then((m) => m.openPostgres(config, folder))
        : await import('./pglite-database').then((m) => m.openPglite(config, folder));
    const service = new DatabaseService(engine, db, close);
    DatabaseService.logger.log({
      msg: `Database ready (${describe(config)})`,
      engine: service.engine,
      ms: Date.now() - started,
    });
    return service;
  }

  /** Runs queries, translating outages to 503 and refused data to 400. */
  async run<T>(work: (db: Database) => Promise<T>): Promise<T> {
    try {
      return await work(this.db);
    } catch (error) {
      throw translateDatabaseError(error);
    }
  }

  /** Runs `work` in one transaction: all of it is stored, or none of it. */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
    return this.run((db) => db.transaction((tx) => work(tx as unknown as Database)));
  }

  /**
   * Runs `work` in a transaction that is always rolled back: it stores nothing, but the
   * engine has run those statements once (see UserEmailRecorder's warm-up for why).
   */
  async rehearse(work: (tx: Database) => Promise<unknown>): Promise<void> {
    const rollBack = new RolledBack();
    try {
      await this.transaction(async (tx) => {
        await work(tx);
        throw rollBack;
      });
    } catch (error) {
      if (error !== rollBack) throw error;
    }
  }

  /**
   * Reclaims the dead rows of `table` now, index entries included, and gives its empty
   * trailing pages back. PGlite runs no autovacuum: what a rolled-back rehearsal wrote would
   * otherwise stay in the table for good. (A plain VACUUM skips the index pass when few
   * pages hold dead rows, leaving their line pointers, and so the heap's new pages, behind.)
   */
  async vacuum(table: PgTable): Promise<void> {
    await this.run((db) => db.execute(sql`vacuum (index_cleanup on) ${table}`));
  }

  async healthCheck(): Promise<HealthCheckResult> {
    if (this.closed) return { status: 'down', detail: 'closed' };
    try {
      await this.db.execute(sql`select 1`);
      return { status: 'up', detail: this.engine };
    } catch (error) {
      // Health is public: the driver's message (hosts, addresses) goes to the logs only.
      DatabaseService.logger.warn({ msg: 'Health check query failed', err: error });
      return { status: 'down' };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.close();
    DatabaseService.logger.log({ msg: 'Database closed', engine: this.engine });
  }
}

function describe(config: AppConfig['database']): string {
  if (config.kind === 'memory') return 'PGlite in memory';
  if (config.kind === 'pglite') return `PGlite in ${resolve(config.dataDir)}`;
  const url = new URL(config.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

/** Thrown out of a rehearsal's transaction so that the driver rolls it back. */
class RolledBack extends Error {
  constructor() {
    super('rehearsal rolled back');
  }
}
