#!/usr/bin/env node
// Micro-benchmark behind docs/benchmarks.md's analysis of the stored path on the embedded
// database: what one statement costs in PGlite (which runs on the API's only thread, so every
// millisecond here is a millisecond no socket or HTTP request is served), and what batching
// saves. Uses PGlite directly with the inbox's table and indexes; no Herald code involved.
//
//   node tools/bench/micro/pglite-statements.mjs [--memory]   (--memory: no data directory)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const inMemory = process.argv.includes('--memory');
const dir = inMemory ? undefined : mkdtempSync(join(tmpdir(), 'herald-pglite-micro-'));
const db = new PGlite(dir);
const USERS = 100;

async function time(label, n, fn) {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < n; i += 1) await fn(i);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(
    `${label.padEnd(64)} ${(ms / n).toFixed(3).padStart(8)} ms wall ${(cpuMs / n).toFixed(3).padStart(8)} ms CPU  per call (n=${n})\n`,
  );
  return ms / n;
}

try {
  await db.exec(`
    create table notifications (
      id uuid primary key default gen_random_uuid(),
      user_id text not null,
      type text not null default 'info',
      title text not null,
      message text not null,
      data jsonb,
      created_at timestamptz(3) not null default now(),
      read_at timestamptz(3)
    );
    create index notifications_user_created_idx on notifications (user_id, created_at desc, id desc);
    create index notifications_user_unread_idx on notifications (user_id, created_at desc, id desc) where read_at is null;
  `);
  // Some history: 20 unread notifications per user.
  await db.query(
    `insert into notifications (user_id, title, message)
     select 'u' || (g % ${USERS}), 'seed', 'seed' from generate_series(1, ${USERS * 20}) g`,
  );
  process.stdout.write(`PGlite ${inMemory ? 'in memory' : `on disk (${dir})`}, ${USERS} users\n`);
  const insertSql = `insert into notifications (user_id, type, title, message, data)
    values ($1, 'bench', 'title', 'message', $2::jsonb) returning *`;
  const countSql = `select count(*)::int as unread from notifications where user_id = $1 and read_at is null`;

  await time('unread count of one user (connect hook)', 1000, (i) =>
    db.query(countSql, [`u${i % USERS}`]),
  );
  await time('INSERT … RETURNING, no explicit transaction', 500, (i) =>
    db.query(insertSql, [`u${i % USERS}`, JSON.stringify({ seq: i })]),
  );
  await time('BEGIN; INSERT … RETURNING; COMMIT (db.transaction)', 500, (i) =>
    db.transaction((tx) => tx.query(insertSql, [`u${i % USERS}`, JSON.stringify({ seq: i })])),
  );
  await time('one stored send today: transaction + grouped unread count', 500, async (i) => {
    const user = `u${i % USERS}`;
    await db.transaction((tx) => tx.query(insertSql, [user, JSON.stringify({ seq: i })]));
    await db.query(
      `select user_id, count(*)::int from notifications where user_id = any($1::text[]) and read_at is null group by user_id`,
      [[user]],
    );
  });
  // Micro-batching: 50 concurrent sends become one INSERT and one grouped count.
  const per = await time(
    '50 sends batched: one INSERT (unnest) + one grouped count',
    20,
    async (b) => {
      const users = Array.from({ length: 50 }, (_, k) => `u${(b * 50 + k) % USERS}`);
      await db.query(
        `insert into notifications (user_id, type, title, message, data)
       select u, 'bench', 'title', 'message', '{}'::jsonb from unnest($1::text[]) as u returning *`,
        [users],
      );
      await db.query(
        `select user_id, count(*)::int from notifications where user_id = any($1::text[]) and read_at is null group by user_id`,
        [[...new Set(users)]],
      );
    },
  );
  process.stdout.write(
    `${'  → per send when batched by 50'.padEnd(64)} ${(per / 50).toFixed(3).padStart(8)} ms wall\n`,
  );
  await time('unread counts of 50 users in one grouped query (batched connects)', 100, (b) =>
    db.query(
      `select user_id, count(*)::int from notifications where user_id = any($1::text[]) and read_at is null group by user_id`,
      [Array.from({ length: 50 }, (_, k) => `u${(b * 50 + k) % USERS}`)],
    ),
  );
} finally {
  await db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
