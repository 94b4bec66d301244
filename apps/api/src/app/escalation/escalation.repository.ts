import { Inject, Injectable } from '@nestjs/common';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { EscalationChannel, EscalationState, Notification } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import type { Database } from '../database/database.types';
import { notifications } from '../notifications/notifications.schema';
import { escalations } from './escalation.schema';

/** One escalation to schedule: the notification, its user, and after how long. */
export interface ScheduleEntry {
  notificationId: string;
  userId: string;
  delaySeconds: number;
}

/** A due escalation this process holds the lease of, with what it is about. */
export interface ClaimedEscalation {
  id: string;
  leaseId: string;
  channel: EscalationChannel;
  attempts: number;
  notification: Notification;
}

interface ClaimedRow extends Record<string, unknown> {
  id: string;
  channel: EscalationChannel;
  attempts: number;
  notification_id: string;
  user_id: string;
  type: string;
  title: string;
  message: string;
  data: Record<string, unknown> | null;
  created_at: Date | string;
  read_at: Date | string | null;
  expires_at: Date | string | null;
}

/** PGlite and node-postgres both answer `execute` with `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * Every query of the escalation schedule. Rows are claimed with `FOR UPDATE SKIP LOCKED`
 * and leased, then sent outside any transaction; each outcome is written only while the
 * lease is still this process's (`lease_id`), so a row is recorded exactly once even when
 * a lapsed lease was taken over by another process.
 */
@Injectable()
export class EscalationRepository {
  constructor(@Inject(DatabaseService) private readonly database: DatabaseService) {}

  /** One row per entry and channel, in the caller's transaction (the notifications' own). */
  async schedule(
    tx: Database,
    entries: readonly ScheduleEntry[],
    channels: readonly EscalationChannel[],
  ): Promise<void> {
    if (entries.length === 0 || channels.length === 0) return;
    await tx.execute(sql`
      insert into ${escalations} (notification_id, user_id, channel, due_at)
      select r.notification_id, r.user_id, c.channel, now() + r.delay * interval '1 second'
      from unnest(${sql.param(entries.map((e) => e.notificationId))}::uuid[],
                  ${sql.param(entries.map((e) => e.userId))}::text[],
                  ${sql.param(entries.map((e) => e.delaySeconds))}::float8[])
             as r(notification_id, user_id, delay)
      cross join unnest(${sql.param([...channels])}::text[]) as c(channel)`);
  }

  /**
   * Due escalations whose notification some device received or read: cancelled, never
   * sent. Rows under a live lease are left to their sender. Answers the channels cancelled.
   */
  async cancelSettled(): Promise<EscalationChannel[]> {
    const result = await this.database.run((db) =>
      db.execute(sql`
        update ${escalations} e
        set status = 'cancelled', updated_at = now(), lease_id = null, lease_until = null
        from ${notifications} n
        where n.id = e.notification_id
          and e.status = 'pending' and e.due_at <= now()
          and (e.lease_until is null or e.lease_until < now())
          and (n.delivered_at is not null or n.read_at is not null)
        returning e.channel`),
    );
    return rowsOf<{ channel: EscalationChannel }>(result).map((r) => r.channel);
  }

  /**
   * Leases up to `limit` due escalations for `leaseSeconds`: pending, due, not leased (or
   * the lease lapsed: its process died mid-send), and whose notification no device has
   * received or read, checked in the same locked statement. Rows another process is
   * claiming are skipped, so no two processes ever hold the same row.
   */
  async claimDue(
    limit: number,
    leaseId: string,
    leaseSeconds: number,
  ): Promise<ClaimedEscalation[]> {
    const result = await this.database.run((db) =>
      db.execute(sql`
        with due as (
          select e.id
          from ${escalations} e
          join ${notifications} n on n.id = e.notification_id
          where e.status = 'pending' and e.due_at <= now()
            and (e.lease_until is null or e.lease_until < now())
            and n.delivered_at is null and n.read_at is null
            and (n.expires_at is null or n.expires_at > now())
          order by e.due_at
          limit ${limit}
          for update of e skip locked
        )
        update ${escalations} e
        set lease_id = ${leaseId}::uuid, lease_until = now() + ${leaseSeconds} * interval '1 second'
        from due, ${notifications} n
        where e.id = due.id and n.id = e.notification_id
        returning e.id, e.channel, e.attempts, n.id as notification_id, n.user_id, n.type,
                  n.title, n.message, n.data, n.created_at, n.read_at, n.expires_at`),
    );
    return rowsOf<ClaimedRow>(result).map((row) => ({
      id: row.id,
      leaseId,
      channel: row.channel,
      attempts: row.attempts,
      notification: {
        id: row.notification_id,
        userId: row.user_id,
        type: row.type,
        title: row.title,
        message: row.message,
        data: row.data ?? null,
        createdAt: iso(row.created_at),
        // Claimed only while no device has received it.
        deliveredAt: null,
        readAt: row.read_at ? iso(row.read_at) : null,
        expiresAt: row.expires_at ? iso(row.expires_at) : null,
      },
    }));
  }

  /** Final: sent, skipped or failed. False when the lease was lost (someone else records it). */
  finish(
    claim: ClaimedEscalation,
    status: 'sent' | 'skipped' | 'failed',
    error?: string,
  ): Promise<boolean> {
    return this.release(claim, {
      status,
      lastError: error ?? null,
      attempts: status === 'failed' ? sql`${escalations.attempts} + 1` : undefined,
    });
  }

  /** A failed attempt with another one to come at `now + delaySeconds`. */
  retryLater(claim: ClaimedEscalation, delaySeconds: number, error: string): Promise<boolean> {
    return this.release(claim, {
      dueAt: sql`now() + ${delaySeconds} * interval '1 second'`,
      attempts: sql`${escalations.attempts} + 1`,
      lastError: error,
    });
  }

  /** Not yet (quiet hours): due again at `until`, no attempt spent. */
  postpone(claim: ClaimedEscalation, until: Date): Promise<boolean> {
    return this.release(claim, { dueAt: until });
  }

  private async release(
    claim: ClaimedEscalation,
    set: Partial<Record<keyof typeof escalations.$inferInsert, unknown>>,
  ): Promise<boolean> {
    const rows = await this.database.run((db) =>
      db
        .update(escalations)
        .set({
          ...(Object.fromEntries(
            Object.entries(set).filter(([, v]) => v !== undefined),
          ) as typeof escalations.$inferInsert),
          leaseId: null,
          leaseUntil: null,
          updatedAt: sql`now()` as never,
        })
        .where(
          and(
            eq(escalations.id, claim.id),
            eq(escalations.leaseId, claim.leaseId),
            eq(escalations.status, 'pending'),
          ),
        )
        .returning({ id: escalations.id }),
    );
    return rows.length > 0;
  }

  /** The escalations of one notification, by channel. */
  async statesOf(notificationId: string): Promise<EscalationState[]> {
    const rows = await this.database.run((db) =>
      db
        .select({
          channel: escalations.channel,
          status: escalations.status,
          dueAt: escalations.dueAt,
          updatedAt: escalations.updatedAt,
        })
        .from(escalations)
        .where(eq(escalations.notificationId, notificationId))
        .orderBy(asc(escalations.channel)),
    );
    return rows.map((row) => ({
      channel: row.channel,
      status: row.status,
      at: (row.status === 'pending' ? row.dueAt : row.updatedAt).toISOString(),
    }));
  }

  /** Pending escalations per channel (cluster-wide: it is the table). */
  async pendingByChannel(): Promise<Map<EscalationChannel, number>> {
    const rows = await this.database.run((db) =>
      db
        .select({ channel: escalations.channel, pending: sql<number>`count(*)::int` })
        .from(escalations)
        .where(eq(escalations.status, 'pending'))
        .groupBy(escalations.channel),
    );
    return new Map(rows.map((row) => [row.channel, row.pending]));
  }
}
