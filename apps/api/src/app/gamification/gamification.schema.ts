import { doublePrecision, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One row per player: total XP (a double, since grants may be fractional) and the rank it
 * last earned. The rank is stored, not derived on read, so a grant can tell in the same
 * transaction whether it crossed a threshold.
 */
export const playerXp = pgTable(
  'player_xp',
  {
    userId: text('user_id').primaryKey(),
    name: text('name'),
    xp: doublePrecision('xp').notNull().default(0),
    rank: text('rank').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('player_xp_leaderboard_idx').on(t.xp.desc(), t.userId)],
);

/** Achievements a player unlocked; the primary key makes each one unlockable once. */
export const playerAchievements = pgTable(
  'player_achievements',
  {
    userId: text('user_id').notNull(),
    achievementId: text('achievement_id').notNull(),
    unlockedAt: timestamp('unlocked_at', { withTimezone: true, precision: 3 })
      .notNull()
      .defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.achievementId] })],
);
