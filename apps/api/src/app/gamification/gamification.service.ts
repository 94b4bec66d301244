import { Inject, Injectable, Logger } from '@nestjs/common';
import { WebSocketService } from '@herald/realtime';
import type { GrantXpResponse, LeaderboardEntry, Notification } from '@herald/ws-contracts';
import { asc, desc, eq, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service';
import type { Database } from '../database/database.types';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import type { IdempotentOutcome, IdempotentRequest } from '../idempotency/idempotent-request';
import { DeliveryMetrics } from '../metrics/delivery.metrics';
import { NotificationsService } from '../notifications/notifications.service';
import { playerAchievements, playerXp } from './gamification.schema';
import {
  ACHIEVEMENTS,
  achievementsForXp,
  LEADERBOARD_SIZE,
  nextThresholdAfter,
  rankFor,
  STARTING_RANK,
  type Achievement,
} from './gamification.rules';

interface Unlocked {
  achievements: Achievement[];
  notifications: Notification[];
}

/** What one grant changed, inside its transaction. */
interface Credited {
  totalXp: number;
  oldRank: string;
  newRank: string;
  unlocked: Unlocked;
}

function responseOf(userId: string, outcome: Credited): GrantXpResponse {
  return {
    userId,
    totalXp: outcome.totalXp,
    rank: outcome.newRank,
    rankChanged: outcome.newRank !== outcome.oldRank,
    achievements: outcome.unlocked.achievements.map((a) => a.id),
  };
}

/**
 * XP, ranks, achievements and the leaderboard of the demo game. Each grant is one
 * transaction (XP, rank, achievements and their inbox notifications together); the
 * events are pushed only after it committed.
 */
@Injectable()
export class GamificationService {
  private readonly logger = new Logger(GamificationService.name);

  constructor(
    @Inject(DatabaseService) private readonly database: DatabaseService,
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
    @Inject(IdempotencyRepository) private readonly idempotency: IdempotencyRepository,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {}

  async grantXp(userId: string, amount: number, source: string): Promise<GrantXpResponse> {
    return (await this.grantXpOnce(userId, amount, source)).body as GrantXpResponse;
  }

  /**
   * A grant under an optional `Idempotency-Key`: the key is claimed and the answer recorded
   * in the grant's own transaction, so a retry (even one racing the first, on another
   * process) credits the XP once and answers the first answer again, pushing nothing.
   */
  async grantXpOnce(
    userId: string,
    amount: number,
    source: string,
    idempotency?: IdempotentRequest,
  ): Promise<IdempotentOutcome> {
    const result = await this.database.transaction((tx) =>
      idempotency
        ? this.idempotency.once(
            tx,
            idempotency,
            () => this.credit(tx, userId, amount),
            (credited) => ({ status: 200, body: responseOf(userId, credited) }),
          )
        : this.credit(tx, userId, amount).then((credited) => ({
            replayed: false as const,
            result: credited,
          })),
    );
    if (result.replayed) return { ...result.answer, replayed: true };
    const outcome = result.result;
    // Committed: from here on the answer is success whatever fails (a retry would credit twice).
    try {
      await this.publishGrant(userId, amount, source, outcome);
    } catch (error) {
      this.metrics.postCommitFailures.inc({ step: 'xp_publish' });
      this.logger.warn({
        msg: 'Pushing an XP grant failed after its commit; the grant is stored',
        err: error instanceof Error ? error.message : String(error),
      });
    }
    return { status: 200, body: responseOf(userId, outcome), replayed: false };
  }

  /** Adds the XP, the rank it earns and the achievements it unlocks, in `tx`. */
  private async credit(tx: Database, userId: string, amount: number): Promise<Credited> {
    // One atomic upsert adds the XP; it also locks the row until commit, so concurrent
    // grants to one player serialise and each sees the rank the previous one stored.
    const [player] = await tx
      .insert(playerXp)
      .values({ userId, xp: amount, rank: STARTING_RANK })
      .onConflictDoUpdate({
        target: playerXp.userId,
        set: { xp: sql`${playerXp.xp} + excluded.xp`, updatedAt: sql`now()` },
      })
      .returning({ xp: playerXp.xp, rank: playerXp.rank });
    const oldRank = player.rank;
    const newRank = rankFor(player.xp).name;
    if (newRank !== oldRank)
      await tx.update(playerXp).set({ rank: newRank }).where(eq(playerXp.userId, userId));
    const unlocked = await this.unlock(tx, userId, achievementsForXp(player.xp));
    return { totalXp: player.xp, oldRank, newRank, unlocked };
  }

  private async publishGrant(
    userId: string,
    amount: number,
    source: string,
    outcome: Credited,
  ): Promise<void> {
    this.ws.emitXpGained(userId, { amount, source, totalXp: outcome.totalXp });
    if (outcome.newRank !== outcome.oldRank) {
      const xpRequired = nextThresholdAfter(outcome.newRank);
      this.ws.emitRankUpdated(userId, {
        newRank: outcome.newRank,
        oldRank: outcome.oldRank,
        ...(xpRequired === undefined ? {} : { xpRequired }),
      });
    }
    await this.publishUnlocked(userId, outcome.unlocked);
    await this.broadcastLeaderboardIfListed(userId);
  }

  /**
   * A demo sign-in: remembers the display name for the leaderboard and unlocks
   * "first sign-in" once (stored as a notification, so it is waiting in the inbox).
   */
  async recordSignIn(userId: string, name: string | null): Promise<void> {
    const { created, unlocked } = await this.database.transaction(async (tx) => {
      const [row] = await tx
        .insert(playerXp)
        .values({ userId, name, rank: STARTING_RANK })
        .onConflictDoUpdate({
          target: playerXp.userId,
          set: { name: sql`coalesce(excluded.name, ${playerXp.name})` },
        })
        .returning({ created: sql<boolean>`(xmax = 0)` });
      return {
        created: Boolean(row?.created),
        unlocked: await this.unlock(tx, userId, [ACHIEVEMENTS.firstSignIn]),
      };
    });
    await this.publishUnlocked(userId, unlocked);
    if (created) await this.broadcastLeaderboardIfListed(userId);
  }

  async leaderboard(limit = LEADERBOARD_SIZE): Promise<LeaderboardEntry[]> {
    const rows = await this.database.run((db) =>
      db
        .select({
          userId: playerXp.userId,
          name: playerXp.name,
          xp: playerXp.xp,
          rank: playerXp.rank,
        })
        .from(playerXp)
        .orderBy(desc(playerXp.xp), asc(playerXp.userId))
        .limit(limit),
    );
    return rows.map((row, index) => ({ ...row, position: index + 1 }));
  }

  /** Records the achievements not unlocked yet and their inbox notifications, in `tx`. */
  private async unlock(
    tx: Database,
    userId: string,
    candidates: readonly Achievement[],
  ): Promise<Unlocked> {
    if (candidates.length === 0) return { achievements: [], notifications: [] };
    const inserted = await tx
      .insert(playerAchievements)
      .values(candidates.map((a) => ({ userId, achievementId: a.id })))
      .onConflictDoNothing()
      .returning({ achievementId: playerAchievements.achievementId });
    const ids = new Set(inserted.map((r) => r.achievementId));
    const achievements = candidates.filter((a) => ids.has(a.id));
    const notifications = await this.notifications.storeIn(
      tx,
      achievements.map((a) => ({
        userIds: [userId],
        content: {
          type: 'achievement',
          title: `Achievement unlocked: ${a.title}`,
          message: a.description,
          data: { achievementId: a.id, icon: a.icon },
        },
      })),
    );
    return { achievements, notifications };
  }

  private async publishUnlocked(userId: string, unlocked: Unlocked): Promise<void> {
    for (const a of unlocked.achievements) {
      this.ws.emitAchievementUnlocked(userId, {
        achievementId: a.id,
        title: a.title,
        description: a.description,
        icon: a.icon,
      });
    }
    await this.notifications.publish(unlocked.notifications);
  }

  /** The leaderboard changed for everyone when this player is (now) on it. */
  private async broadcastLeaderboardIfListed(userId: string): Promise<void> {
    const leaderboard = await this.leaderboard();
    if (leaderboard.some((entry) => entry.userId === userId))
      this.ws.broadcastLeaderboardUpdate(leaderboard);
  }
}
