// External resources a benchmark run creates and must remove: a PostgreSQL database, a
// Redis key prefix and temporary data directories. All on loopback, all named per run
// (through the shared harness in tools/testing); every one is removed at cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createScratchDatabase,
  deleteKeysWithPrefix,
  redisPrefixFor,
} from '../../testing/index.mjs';

const cleanups = [];

/** Registers `fn` to run at exit (normal, error or Ctrl-C); returns an idempotent runner. */
export function onCleanup(fn) {
  let done = false;
  const run = async () => {
    if (done) return;
    done = true;
    try {
      await fn();
    } catch (error) {
      process.stderr.write(`cleanup failed: ${error?.message ?? error}\n`);
    }
  };
  cleanups.push(run);
  return run;
}

export async function runCleanups() {
  while (cleanups.length) await cleanups.pop()();
}

/** A fresh PostgreSQL database, dropped at cleanup; rejects when PostgreSQL is down. */
export async function createDatabase(runId, label) {
  const database = await createScratchDatabase(runId, label);
  return { ...database, drop: onCleanup(database.drop) };
}

/** A Redis key prefix unique to this run; `drop` deletes its keys (at cleanup at the latest). */
export async function reserveRedisPrefix(runId, label) {
  const prefix = redisPrefixFor(runId, label);
  // Fail now, not in the middle of a scenario, when Redis is down.
  await deleteKeysWithPrefix(prefix);
  return { prefix, drop: onCleanup(() => deleteKeysWithPrefix(prefix)) };
}

/** A temporary directory (embedded database files); removed at cleanup. */
export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `herald-bench-${label}-`));
  const drop = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, drop };
}
