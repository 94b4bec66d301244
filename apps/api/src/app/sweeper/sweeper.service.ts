import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import type { Database } from '../database/database.types';
import { idempotencyKeys } from '../idempotency/idempotency.schema';
import { DeliveryMetrics } from '../metrics/delivery.metrics';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { NotificationsService } from '../notifications/notifications.service';

/** Any constant distinct from the migration lock: one sweeping process per cluster. */
const SWEEP_LOCK_ID = 0x48525357; // "HRSW"
/** Rows per DELETE: each batch is its own short transaction, so no lock is held for long. */
export const SWEEP_BATCH_SIZE = 1_000;

/** What one sweep deleted. */
export interface SweepResult {
  expired: number;
  retention: number;
  idempotencyKeys: number;
}

/**
 * Deletes what has run out, every SWEEP_INTERVAL_MS: expired notifications (their devices
 * get `notification:deleted` and the new unread count), read notifications created more
 * than RETENTION_DAYS ago, and idempotency keys past their 24 hours. Lists and counts hide
 * expired notifications already, so the sweep only has to catch up.
 *
 * Every batch is one transaction that first takes a transaction-level advisory lock
 * (`pg_try_advisory_xact_lock`): while one process of the cluster sweeps a batch the
 * others skip theirs, and the lock ends with the batch, so a process that dies mid-sweep
 * never blocks the next one. Batches are capped at SWEEP_BATCH_SIZE rows.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SweeperService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DatabaseService) private readonly database: DatabaseService,
    @Inject(NotificationsRepository) private readonly notifications: NotificationsRepository,
    @Inject(NotificationsService) private readonly service: NotificationsService,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * One full sweep: batches until nothing is left or another process holds the lock.
   * Public so tests (and operators' scripts) can run one now.
   */
  async sweep(now = new Date()): Promise<SweepResult> {
    const result: SweepResult = { expired: 0, retention: 0, idempotencyKeys: 0 };
    for (;;) {
      const deleted = await this.locked((tx) =>
        this.notifications.deleteExpired(tx, SWEEP_BATCH_SIZE),
      );
      if (!deleted) break;
      result.expired += deleted.length;
      await this.service.publishDeleted(deleted);
      if (deleted.length < SWEEP_BATCH_SIZE) break;
    }
    const cutoff = new Date(now.getTime() - this.config.sweeper.retentionDays * 86_400_000);
    for (;;) {
      const count = await this.locked((tx) =>
        this.notifications.deleteReadBefore(tx, cutoff, SWEEP_BATCH_SIZE),
      );
      if (count === undefined) break;
      result.retention += count;
      if (count < SWEEP_BATCH_SIZE) break;
    }
    for (;;) {
      const count = await this.locked((tx) => deleteExpiredKeys(tx, SWEEP_BATCH_SIZE));
      if (count === undefined) break;
      result.idempotencyKeys += count;
      if (count < SWEEP_BATCH_SIZE) break;
    }
    this.metrics.swept.inc({ reason: 'expired' }, result.expired);
    this.metrics.swept.inc({ reason: 'retention' }, result.retention);
    this.metrics.swept.inc({ reason: 'idempotency_keys' }, result.idempotencyKeys);
    return result;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .then((result) => {
          if (result.expired + result.retention + result.idempotencyKeys > 0)
            this.logger.log({ msg: 'Swept', ...result });
        })
        .catch((error: unknown) =>
          this.logger.warn({
            msg: 'Sweep failed; the next one retries',
            err: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => this.schedule());
    }, this.config.sweeper.intervalMs);
    this.timer.unref();
  }

  /** Runs one batch under the cluster-wide sweep lock; undefined when another process has it. */
  private locked<T>(work: (tx: Database) => Promise<T>): Promise<T | undefined> {
    return this.database.transaction(async (tx) => {
      const [row] = await tx
        .select({ locked: sql<boolean>`pg_try_advisory_xact_lock(${SWEEP_LOCK_ID})` })
        .from(sql`(select 1) as one`);
      return row?.locked ? work(tx) : undefined;
    });
  }
}

/** Deletes up to `limit` idempotency keys past their window; answers how many. */
async function deleteExpiredKeys(tx: Database, limit: number): Promise<number> {
  const rows = await tx
    .delete(idempotencyKeys)
    .where(
      sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key}) in (
            select scope, key from ${idempotencyKeys} where ${idempotencyKeys.expiresAt} <= now()
            limit ${limit} for update skip locked)`,
    )
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
