import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
    /** The first receipt from any device of the user; later receipts leave it alone. */
    deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3, mode: 'date' }),
    readAt: timestamp('read_at', { withTimezone: true, precision: 3, mode: 'date' }),
    /** Past this instant the notification is out of lists and counts; the sweeper deletes it. */
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3, mode: 'date' }),
  },
  (t) => [
    // "A user's inbox, newest first" (the list endpoint and its keyset cursor).
    index('notifications_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    // "A user's unread, newest first": only unread rows are indexed, so the index stays
    // small however long the read history grows.
    index('notifications_user_unread_idx')
      .on(t.userId, t.createdAt.desc(), t.id.desc())
      .where(sql`${t.readAt} IS NULL`),
    // The part of the unread count that time changes (see notificationUnreadCounts): only
    // unread notifications that expire at all are indexed.
    index('notifications_user_unread_expiring_idx')
      .on(t.userId, t.expiresAt)
      .where(sql`${t.readAt} IS NULL AND ${t.expiresAt} IS NOT NULL`),
    // The expiry sweep: only notifications that expire at all are indexed.
    index('notifications_expires_idx')
      .on(t.expiresAt)
      .where(sql`${t.expiresAt} IS NOT NULL`),
    // The retention sweep ("read, created before the cutoff"): only read rows are indexed,
    // so the sweep reads the oldest read rows first and stops at the cutoff.
    index('notifications_read_created_idx')
      .on(t.createdAt)
      .where(sql`${t.readAt} IS NOT NULL`),
  ],
);

/**
 * Per user, how many of their notifications are unread and never expire, kept by triggers
 * on `notifications` (migration 0003) in the statement that changes them, so it is exact
 * in every transaction whoever writes. The unread count is this number plus the user's
 * unread notifications that expire and have not yet (counted live, through
 * notifications_user_unread_expiring_idx): reading it no longer costs a row per unread
 * notification. Time alone cannot change this part, so the trigger can keep it.
 */
export const notificationUnreadCounts = pgTable('notification_unread_counts', {
  userId: text('user_id').primaryKey(),
  unread: integer('unread').notNull(),
});

export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotificationRow = typeof notifications.$inferInsert;
