import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * What Herald knows of a user beyond their id: the address escalations are e-mailed to
 * (the `email` claim of their latest token, or the one a service set) and their time zone.
 */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email'),
  timezone: text('timezone'),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3, mode: 'date' })
    .notNull()
    .defaultNow(),
});

export type UserRow = typeof users.$inferSelect;
