#!/usr/bin/env node
// Fails when the Drizzle schema and the committed SQL migrations disagree (drizzle-kit
// would write a new migration: a table changed without `npm run db:generate`), or when
// generated migrations are not committed yet.
// Works offline (drizzle-kit generate needs no database).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MIGRATIONS = 'apps/api/src/app/database/migrations';

const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
if (git('rev-parse', '--is-inside-work-tree').status !== 0) {
  console.log('migrations check: not a git checkout, skipped');
  process.exit(0);
}
const generate = spawnSync(
  'npx',
  ['drizzle-kit', 'generate', '--config', 'apps/api/drizzle.config.ts'],
  {
    cwd: ROOT,
    encoding: 'utf8',
  },
);
if (generate.status !== 0) {
  console.error(generate.stdout, generate.stderr);
  process.exit(1);
}
const changed = git('status', '--porcelain', '--', MIGRATIONS).stdout.trim();
if (changed) {
  // Nothing is reverted: the files drizzle-kit wrote are the migration to review and commit.
  console.error(`Migrations differ from what is committed; review and commit them:\n${changed}`);
  process.exit(1);
}
console.log('migrations check: the committed migrations match the schema');
