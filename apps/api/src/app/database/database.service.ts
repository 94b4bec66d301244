import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Pool } from 'pg';
import type { AppConfig } from '../config/app-config';
import type { HealthCheckResult } from '../health/health.registry';
import { lockDataDir } from './data-dir-lock';
import { PGliteThread } from './pglite-thread';
import { isConnectionError, translateDatabaseError } from './database-errors';
import type { Database, DatabaseEngine } from './database.types';
import * as schema from './schema';
import { StatementPool } from './statement-pool';

/** Any constant: serialises migrations of several API processes sharing one PostgreSQL. */
const MIGRATION_LOCK_ID = 0x4845524c; // "HERL"
const CONNECT_ATTEMPTS = 5;

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
    const service =
      config.kind === 'postgres'
        ? await DatabaseService.openPostgres(config, folder)
        : await DatabaseService.openPglite(config, folder);
    DatabaseService.logger.log({
      msg: `Database ready (${describe(config)})`,
      engine: service.engine,
      ms: Date.now() - started,
    });
    return service;
  }

  private static async openPglite(
    config: Extract<AppConfig['database'], { kind: 'pglite' | 'memory' }>,
    folder: string,
  ) {
    let client: PGliteThread;
    let unlock: () => void = () => undefined;
    if (config.kind === 'pglite') {
      // DATA_DIR holds the lock file and PostgreSQL's own directory (pgdata) side by side.
      const dataDir = resolve(config.dataDir);
      mkdirSync(dataDir, { recursive: true });
      unlock = await lockDataDir(dataDir);
      try {
        client = await PGliteThread.create(join(dataDir, 'pgdata'));
      } catch (error) {
        unlock();
        throw error;
      }
    } else {
      client = await PGliteThread.create();
    }
    const close = async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    };
    const db = drizzlePglite(client.asPGlite(), { schema });
    try {
      await migratePglite(db, { migrationsFolder: folder });
    } catch (error) {
      await close().catch(() => undefined);
      throw error;
    }
    return new DatabaseService('pglite', db as unknown as Database, close);
  }

  private static async openPostgres(
    config: Extract<AppConfig['database'], { kind: 'postgres' }>,
    folder: string,
  ) {
    const pool = new StatementPool({
      connectionString: config.url,
      max: config.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its server must not crash the process; the pool replaces it.
    pool.on('error', (error) =>
      DatabaseService.logger.warn({ msg: 'Idle PostgreSQL client error', err: error.message }),
    );
    try {
      await withRetries(() => migrateUnderLock(pool, folder));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    const db = drizzlePg(pool, { schema });
    return new DatabaseService('postgres', db as unknown as Database, () => pool.end());
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

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so several API
 * processes starting together against one server never apply the same migration twice.
 */
async function migrateUnderLock(pool: Pool, folder: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await migratePg(drizzlePg(client), { migrationsFolder: folder });
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
      new Logger('Database').warn({
        msg: `PostgreSQL not reachable, retrying (${attempt}/${CONNECT_ATTEMPTS})`,
      });
      await new Promise((r) => setTimeout(r, attempt * 1_000));
    }
  }
}

function describe(config: AppConfig['database']): string {
  if (config.kind === 'memory') return 'PGlite in memory';
  if (config.kind === 'pglite') return `PGlite in ${resolve(config.dataDir)}`;
  const url = new URL(config.url);
  return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
}
