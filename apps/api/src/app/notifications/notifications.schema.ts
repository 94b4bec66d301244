import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The inbox. Deletion is a hard DELETE: a deleted notification is gone for every device,
 * and nothing has to filter tombstones. `created_at` keeps millisecond precision so that
 * the ISO string a client sees (and the keyset cursor built from it) is exact.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').notNull(),
    type: text('type').notNull().default('info'),
    title: text('title').notNull(),
    message: text('message').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3, mode: 'date' })
      .notNull()
      .defaultNow(),
    readAt: timestamp('read_at', { withTimezone: true, precision: 3, mode: 'date' }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3, mode: 'date' }),
  },
  (t) => [
    // "A user's inbox, newest first" (the list endpoint and its keyset cursor).
    index('notifications_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    // "A user's unread, newest first" and the unread count: only unread rows are indexed,
    // so the index stays small however long the read history grows.
    index('notifications_user_unread_idx')
      .on(t.userId, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.readAt} IS NULL`),
  ],
);

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotificationRow = typeof notifications.$inferInsert;
