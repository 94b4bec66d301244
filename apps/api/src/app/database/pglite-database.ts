import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { lockDataDir } from './data-dir-lock';
import type { Database, OpenedDatabase } from './database.types';
import { PGliteThread } from './pglite-thread';
import * as schema from './schema';

/**
 * Opens the embedded database: one PGlite instance on a thread of its own, on disk in
 * DATA_DIR (locked against a second process) or in memory, migrated before it is returned.
 */
export async function openPglite(
  config: Extract<AppConfig['database'], { kind: 'pglite' | 'memory' }>,
  migrationsFolder: string,
): Promise<OpenedDatabase> {
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
  const db = drizzle(client.asPGlite(), { schema });
  try {
    await migrate(db, { migrationsFolder });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { engine: 'pglite', db: db as unknown as Database, close };
}
