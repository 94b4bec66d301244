// External resources a benchmark run creates and must remove: a PostgreSQL database, a
// Redis key prefix and temporary data directories. All on loopback, all named per run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';

export const ADMIN_PG_URL =
  process.env.HERALD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.HERALD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

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

async function admin(fn) {
  const client = new pg.Client({ connectionString: ADMIN_PG_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh PostgreSQL database; resolves { url, drop }. Rejects when PostgreSQL is down. */
export async function createDatabase(runId, label) {
  const name = `herald_bench_${runId}_${label}`.replace(/[^a-z0-9_]/g, '_');
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_PG_URL);
  url.pathname = `/${name}`;
  const drop = onCleanup(() =>
    admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  );
  return { name, url: url.toString(), drop };
}

/** A Redis key prefix unique to this run; `drop` deletes its keys (SCAN, never KEYS). */
export async function reserveRedisPrefix(runId, label) {
  const prefix = `herald-bench-${runId}-${label}`;
  const probe = new Redis(BENCH_REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
  });
  await probe.connect();
  probe.disconnect();
  const drop = onCleanup(async () => {
    const redis = new Redis(BENCH_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      const stream = redis.scanStream({ match: `${prefix}*`, count: 500 });
      for await (const keys of stream) if (keys.length) await redis.unlink(...keys);
    } finally {
      redis.disconnect();
    }
  });
  return { prefix, drop };
}

/** A temporary directory (embedded database files); removed at cleanup. */
export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `herald-bench-${label}-`));
  const drop = onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, drop };
}
