import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { EscalationChannel, EscalationState } from '@herald/ws-contracts';
import { notifications } from '../notifications/notifications.schema';

/**
 * The escalation schedule: one row per notification and channel, written in the same
 * transaction as the notification. A row is the whole state of that escalation (due time,
 * attempts, lease), so it survives restarts and is shared by every process of a cluster.
 * Its id is the webhook's `webhook-id`, the same on every retry.
 */
export const escalations = pgTable(
  'escalations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    channel: text('channel').$type<EscalationChannel>().notNull(),
    status: text('status').$type<EscalationState['status']>().notNull().default('pending'),
    /** When the next attempt may run (the delay, a retry's backoff or the end of quiet hours). */
    dueAt: timestamp('due_at', { withTimezone: true, precision: 3, mode: 'date' }).notNull(),
    /** Finished attempts that failed. */
    attempts: integer('attempts').notNull().default(0),
    /** Set while one process sends it; another process may take it over once it lapsed. */
    leaseId: uuid('lease_id'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, precision: 3, mode: 'date' }),
    lastError: text('last_error'),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3, mode: 'date' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    // At most one escalation per notification and channel, whatever happens.
    uniqueIndex('escalations_notification_channel_idx').on(t.notificationId, t.channel),
    // "What is due": only pending rows are indexed, so sent history costs the poll nothing.
    index('escalations_pending_due_idx')
      .on(t.dueAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

export type EscalationRow = typeof escalations.$inferSelect;
