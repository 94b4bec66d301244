import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The answers of requests sent with an `Idempotency-Key`, one row per (scope, key). The
 * primary key is what makes a key usable once across the cluster: a request claims its key
 * with `INSERT … ON CONFLICT`, in the same transaction as its effect and its answer, so the
 * row exists (for everyone) exactly when the effect is committed. `expires_at` ends the
 * replay window; the sweeper deletes expired rows.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    /** The endpoint (and, with several service identities, the caller) the key belongs to. */
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    /** sha256 of the canonical request body: the same key with another body is refused. */
    fingerprint: text('fingerprint').notNull(),
    /**
     * The first answer. Null only inside the claiming transaction (between the claim and
     * the effect); a committed row always has it.
     */
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body').$type<unknown>(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    index('idempotency_keys_expires_idx').on(t.expiresAt),
  ],
);

export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
