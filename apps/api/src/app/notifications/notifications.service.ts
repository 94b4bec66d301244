import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { WebSocketService } from '@herald/realtime';
import {
  ErrorCode,
  HeraldError,
  ServerEvent,
  type Notification,
  type NotificationPage,
  type NotificationStatus,
} from '@herald/ws-contracts';
import type { Database } from '../database/database.types';
import { MicroBatcher } from '../database/micro-batcher';
import type { IdempotentOutcome, IdempotentRequest } from '../idempotency/idempotent-request';
import { DeliveryMetrics } from '../metrics/delivery.metrics';
import { decodeCursor, encodeCursor } from './notification-cursor';
import type { CreateNotificationInput } from './create-notification-body.pipe';
import {
  ESCALATION_STATUS_READER,
  NO_ESCALATIONS,
  type EscalationStatusReader,
} from './escalation-status';
import {
  MAX_ROWS_PER_BATCH,
  NotificationWriteBatcher,
  type WriteOutcome,
} from './notification-write-batcher';
import type { EscalationRequest, NotificationContent, NotificationSend } from './notification-send';
import {
  NotificationsRepository,
  type DeletedNotification,
  type Receipt,
} from './notifications.repository';

export interface ListOptions {
  unread: boolean;
  limit: number;
  cursor?: string;
}

export interface ReadResult {
  notificationId: string;
  unreadCount: number;
}

export interface ReadAllResult {
  updated: number;
  unreadCount: number;
}

/**
 * Users per grouped unread-count query at most (one array parameter): as many as one full
 * write batch has recipients, so a batch of sends is followed by one count query.
 */
const MAX_USERS_PER_COUNT_QUERY = MAX_ROWS_PER_BATCH;

/** One user's unread count, asked for by a read (answered) or after a change (also pushed). */
interface CountRequest {
  userId: string;
  push: boolean;
  /** The count, read with the change that asks for it to be pushed (see `countUnread`). */
  known?: number;
}

/**
 * The inbox use cases, shared by the HTTP controllers and the socket handlers. Every
 * change is stored first and pushed after it committed, to every device of the user
 * (their `user:{id}` room, cluster-wide), so devices agree with the database. The order
 * is always the same: the store (repository, or the write batcher for sends), then the
 * emitter; nothing below this service calls back into it.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  /**
   * Every unread count goes through here: counts asked for at the same moment (a batch of
   * sends, a connect storm: one per socket) are read with one grouped query instead of one
   * COUNT each, and pushed once per user however many requests of the batch wanted it.
   */
  private readonly unreadCounts = new MicroBatcher<CountRequest, number>(
    (requests) => this.countUnread(requests),
    { weigh: () => 1, maxWeight: MAX_USERS_PER_COUNT_QUERY },
  );

  /**
   * Receipts that arrive together (every device acknowledging the same push) become one
   * UPDATE: no read before the write, and rows already received are left alone.
   */
  private readonly receipts = new MicroBatcher<Receipt, void>(
    async (receipts) => {
      const first = await this.repository.markDelivered(receipts);
      for (const row of first)
        this.metrics.latency.observe(
          Math.max(0, (row.deliveredAt.getTime() - row.createdAt.getTime()) / 1000),
        );
      return receipts.map(() => undefined);
    },
    { weigh: (receipt) => receipt.notificationIds.length, maxWeight: MAX_ROWS_PER_BATCH },
  );

  constructor(
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
    @Inject(NotificationWriteBatcher) private readonly writes: NotificationWriteBatcher,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
    @Inject(DeliveryMetrics) private readonly metrics: DeliveryMetrics,
    @Optional()
    @Inject(ESCALATION_STATUS_READER)
    private readonly escalations: EscalationStatusReader = NO_ESCALATIONS,
  ) {}

  /**
   * Stores one notification per distinct recipient (all or none), then pushes
   * `notification:new` and each recipient's unread count, and answers the records (in
   * recipient order). Concurrent sends share one INSERT (NotificationWriteBatcher) and one
   * grouped count query; each gets its own records.
   */
  async send(
    userIds: readonly string[],
    content: NotificationContent,
    escalation?: EscalationRequest,
  ): Promise<Notification[]> {
    const outcome = await this.writes.store({
      sends: [{ userIds: [...new Set(userIds)], content, escalation }],
    });
    // Without an idempotency key nothing is ever replayed: these are the stored records.
    const { records, unreadCounts } = outcome as Extract<WriteOutcome, { replayed: false }>;
    const [stored] = records;
    await this.publish(stored as Notification[], unreadCounts);
    return stored as Notification[];
  }

  /**
   * A validated send request (`POST /api/notifications`, the demo's twin): the stored
   * notification for `userId`, the list of them for `userIds`.
   */
  async sendRequested(request: CreateNotificationInput): Promise<Notification | Notification[]> {
    return (await this.sendOnce(request)).body as Notification | Notification[];
  }

  /**
   * A send under an optional `Idempotency-Key`: stored and pushed (201 with the record or
   * records), or — when the key was used before with the same body — the first answer
   * again, with nothing stored and nothing pushed. The key is claimed, the rows inserted
   * and the answer recorded in one transaction (NotificationWriteBatcher), so a crash can
   * never leave rows without their answer, nor a key without its rows.
   */
  async sendOnce(
    request: CreateNotificationInput,
    idempotency?: IdempotentRequest,
  ): Promise<IdempotentOutcome> {
    return this.sendAllOnce([request], idempotency, ([answer]) => answer);
  }

  /**
   * Many send requests at once (`POST /api/notifications/batch`), under an optional
   * `Idempotency-Key` as `sendOnce`: every one is stored in the same transaction — all or
   * none — then all are pushed, in request order. Answers `{ notifications }`, one entry
   * per request: its record for a `userId`, its list of records for `userIds`.
   */
  async sendBatchOnce(
    requests: readonly CreateNotificationInput[],
    idempotency?: IdempotentRequest,
  ): Promise<IdempotentOutcome> {
    return this.sendAllOnce(requests, idempotency, (notifications) => ({ notifications }));
  }

  /**
   * Stores the requests as one write (one transaction with the idempotency key), pushes
   * what was stored, and answers `bodyOf` the per-request answers — or the first answer
   * again when the key was used before.
   */
  private async sendAllOnce(
    requests: readonly CreateNotificationInput[],
    idempotency: IdempotentRequest | undefined,
    bodyOf: (answers: (Notification | Notification[])[]) => unknown,
  ): Promise<IdempotentOutcome> {
    const answerOf = (records: readonly Notification[][]) => ({
      status: 201,
      body: bodyOf(
        requests.map((request, i) => {
          const stored = records[i] as Notification[];
          return request.userIds ? stored : (stored[0] as Notification);
        }),
      ),
    });
    const outcome = await this.writes.store({
      sends: requests.map(toSend),
      idempotency: idempotency && { request: idempotency, answerOf },
    });
    if (outcome.replayed) return { ...outcome.answer, replayed: true };
    await this.publish(outcome.records.flat(), outcome.unreadCounts);
    return { ...answerOf(outcome.records), replayed: false };
  }

  /**
   * Stores inside the caller's transaction (e.g. with the achievement it announces), so
   * both commit or neither does. The caller calls `publish` after the commit.
   */
  async storeIn(tx: Database, sends: readonly NotificationSend[]): Promise<Notification[]> {
    return (await this.repository.insertSends(sends, tx)).flat();
  }

  /**
   * Pushes stored notifications, then the new unread count of each of their recipients.
   * It runs after the commit, so it never fails its caller: the answer is success once the
   * rows are stored (a failure here turned into an error would make the caller retry and
   * store copies). What fails is logged and counted; devices correct a missed count on
   * their next resync. `unreadCounts`: the recipients' counts read with the insert, when it
   * could (NotificationsRepository.insertSendsCounting); the others are read now.
   */
  async publish(
    stored: readonly Notification[],
    unreadCounts?: ReadonlyMap<string, number>,
  ): Promise<void> {
    if (stored.length === 0) return;
    await this.afterCommit('publish', async () => {
      this.ws.emitNotificationToUsers(stored);
      await Promise.all(
        [...new Set(stored.map((n) => n.userId))].map((userId) =>
          this.unreadCounts.submit({ userId, push: true, known: unreadCounts?.get(userId) }),
        ),
      );
    });
  }

  /**
   * Tells every device of their users that notifications are gone (the sweeper deleted
   * them), then pushes each user's new unread count. Like `publish`, it never throws.
   */
  async publishDeleted(deleted: readonly DeletedNotification[]): Promise<void> {
    if (deleted.length === 0) return;
    await this.afterCommit('publish_deleted', async () => {
      for (const { id, userId } of deleted)
        this.ws.emitToUser(userId, ServerEvent.NotificationDeleted, { notificationId: id });
      await Promise.all(
        [...new Set(deleted.map((n) => n.userId))].map((userId) =>
          this.unreadCounts.submit({ userId, push: true }),
        ),
      );
    });
  }

  /**
   * Receipts from one device of `userId`: the first receipt of each notification sets its
   * `deliveredAt` and feeds `herald_delivery_latency_seconds`; later ones, and ids of other
   * users, change nothing.
   */
  recordReceipts(userId: string, notificationIds: readonly string[]): Promise<void> {
    return this.receipts.submit({ userId, notificationIds: [...new Set(notificationIds)] });
  }

  /** Where one notification stands (service API): stored, received, read, escalated. */
  async status(notificationId: string): Promise<NotificationStatus> {
    const row = await this.repository.findById(notificationId);
    if (!row) throw notFound();
    return {
      id: row.id,
      userId: row.userId,
      createdAt: row.createdAt.toISOString(),
      deliveredAt: row.deliveredAt ? row.deliveredAt.toISOString() : null,
      readAt: row.readAt ? row.readAt.toISOString() : null,
      escalations: await this.escalations.escalationsOf(row.id),
    };
  }

  async list(userId: string, options: ListOptions): Promise<NotificationPage> {
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    // One extra row tells whether another page exists without a second query.
    const rows = await this.repository.list(userId, {
      unreadOnly: options.unread,
      limit: options.limit + 1,
      after,
    });
    const items = rows.slice(0, options.limit);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > options.limit && last ? encodeCursor(last) : null };
  }

  unreadCount(userId: string): Promise<number> {
    return this.unreadCounts.submit({ userId, push: false });
  }

  /** The unread counts of many users, read together (one grouped query per 2,000 users). */
  async unreadCountsOf(userIds: readonly string[]): Promise<Map<string, number>> {
    const counts = await Promise.all(userIds.map((userId) => this.unreadCount(userId)));
    return new Map(userIds.map((userId, i) => [userId, counts[i] as number]));
  }

  async markRead(userId: string, notificationId: string): Promise<ReadResult> {
    if (!(await this.repository.markRead(userId, notificationId))) throw notFound();
    this.ws.emitToUser(userId, ServerEvent.NotificationRead, { notificationId, success: true });
    const unreadCount = await this.pushUnreadCount(userId);
    return { notificationId, unreadCount };
  }

  async markAllRead(userId: string): Promise<ReadAllResult> {
    const updated = await this.repository.markAllRead(userId);
    this.ws.emitToUser(userId, ServerEvent.NotificationRead, {
      notificationId: null,
      success: true,
      all: true,
    });
    const unreadCount = await this.pushUnreadCount(userId);
    return { updated, unreadCount };
  }

  async delete(userId: string, notificationId: string): Promise<ReadResult> {
    if (!(await this.repository.delete(userId, notificationId))) throw notFound();
    this.ws.emitToUser(userId, ServerEvent.NotificationDeleted, { notificationId });
    const unreadCount = await this.pushUnreadCount(userId);
    return { notificationId, unreadCount };
  }

  /** Reads the user's unread count after a change and pushes it to their devices. */
  private pushUnreadCount(userId: string): Promise<number> {
    return this.unreadCounts.submit({ userId, push: true });
  }

  /** Work after a commit: its failure is logged and counted, never answered to the caller. */
  private async afterCommit(step: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.metrics.postCommitFailures.inc({ step });
      this.logger.warn({
        msg: 'Work after a commit failed; the change is stored, devices catch up on resync',
        step,
        err: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * A user's count comes from the database unless every request for them in the batch
   * brought it along (read with their insert): then the latest one is it. That is exact
   * because a count is only brought along where statements run one at a time (PGlite), and
   * any change to the user's count after that insert was made by a statement that ran
   * after it and asks for its own count, without one: the user is then read again.
   */
  private async countUnread(requests: readonly CountRequest[]): Promise<number[]> {
    const known = new Map<string, number | undefined>();
    for (const { userId, known: count } of requests) {
      const readAnyway = known.has(userId) && known.get(userId) === undefined;
      known.set(userId, readAnyway ? undefined : count);
    }
    const toRead = [...known].filter(([, count]) => count === undefined).map(([userId]) => userId);
    const counts =
      toRead.length > 0 ? await this.repository.unreadCounts(toRead) : new Map<string, number>();
    for (const [userId, count] of known) if (count !== undefined) counts.set(userId, count);
    // Every request of the batch would push the same number: once per user is enough.
    const pushed = new Set(requests.filter((r) => r.push).map((r) => r.userId));
    for (const userId of pushed) this.ws.emitUnreadCount(userId, counts.get(userId) ?? 0);
    return requests.map((r) => counts.get(r.userId) ?? 0);
  }
}

/** A validated send request as the write batcher stores it: distinct recipients, content. */
function toSend(request: CreateNotificationInput): NotificationSend {
  const { userId, userIds, escalate, escalateAfterSeconds, ...content } = request;
  return {
    userIds: [...new Set(userIds ?? [userId as string])],
    content,
    escalation: { escalate, escalateAfterSeconds },
  };
}

/** Unknown and foreign ids look the same, so ids of other users cannot be probed. */
function notFound(): HeraldError {
  return new HeraldError(ErrorCode.NotFound, 'Notification not found');
}
