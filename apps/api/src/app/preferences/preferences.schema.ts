import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { Preferences } from '@herald/ws-contracts';

/**
 * Each user's channel preferences as one validated document; a user without a row has the
 * defaults (every channel on, no quiet hours), so nothing is written until they choose.
 */
export const userPreferences = pgTable('user_preferences', {
  userId: text('user_id').primaryKey(),
  preferences: jsonb('preferences').$type<Preferences>().notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3, mode: 'date' })
    .notNull()
    .defaultNow(),
});
