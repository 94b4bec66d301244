import { defineConfig } from 'drizzle-kit';

/**
 * `npm run db:generate` diffs the schema against the committed migrations and writes the
 * next SQL file. The same migrations run on PGlite and on PostgreSQL at start-up.
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: './apps/api/src/app/database/schema.ts',
  out: './apps/api/src/app/database/migrations',
});
