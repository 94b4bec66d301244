import { Inject, Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import { DEFAULT_PREFERENCES, type Preferences } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import { userPreferences } from './preferences.schema';

@Injectable()
export class PreferencesRepository {
  constructor(@Inject(DatabaseService) private readonly database: DatabaseService) {}

  /** The user's preferences; the defaults when they never chose. */
  async get(userId: string): Promise<Preferences> {
    const [row] = await this.database.run((db) =>
      db
        .select({ preferences: userPreferences.preferences })
        .from(userPreferences)
        .where(eq(userPreferences.userId, userId))
        .limit(1),
    );
    return row?.preferences ?? structuredClone(DEFAULT_PREFERENCES);
  }

  async put(userId: string, preferences: Preferences): Promise<void> {
    await this.database.run((db) =>
      db
        .insert(userPreferences)
        .values({ userId, preferences })
        .onConflictDoUpdate({
          target: userPreferences.userId,
          set: { preferences, updatedAt: sql`now()` },
        }),
    );
  }
}
