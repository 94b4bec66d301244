import { Inject, Injectable } from '@nestjs/common';
import { WebSocketService } from '@herald/realtime';
import {
  ErrorCode,
  HeraldError,
  ServerEvent,
  type Notification,
  type NotificationPage,
} from '@herald/ws-contracts';
import type { Database } from '../database/database.types';
import { MicroBatcher } from '../database/micro-batcher';
import { decodeCursor, encodeCursor } from './notification-cursor';
import type { CreateNotificationInput } from './create-notification-body.pipe';
import { MAX_ROWS_PER_BATCH, NotificationWriteBatcher } from './notification-write-batcher';
import {
  NotificationsRepository,
  type EscalationRequest,
  type NotificationContent,
  type NotificationSend,
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
  /**
   * Every unread count goes through here: counts asked for at the same moment (a batch of
   * sends, a connect storm: one per socket) are read with one grouped query instead of one
   * COUNT each, and pushed once per user however many requests of the batch wanted it.
   */
  private readonly unreadCounts = new MicroBatcher<CountRequest, number>(
    (requests) => this.countUnread(requests),
    { weigh: () => 1, maxWeight: MAX_USERS_PER_COUNT_QUERY },
  );

  constructor(
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
    @Inject(NotificationWriteBatcher) private readonly writes: NotificationWriteBatcher,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
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
    const stored = await this.writes.store({ userIds: [...new Set(userIds)], content, escalation });
    await this.publish(stored);
    return stored;
  }

  /**
   * A validated send request (`POST /api/notifications`, the demo's twin): the stored
   * notification for `userId`, the list of them for `userIds`.
   */
  async sendRequested(request: CreateNotificationInput): Promise<Notification | Notification[]> {
    const { userId, userIds, escalate, escalateAfterSeconds, ...content } = request;
    const stored = await this.send(userIds ?? [userId as string], content, {
      escalate,
      escalateAfterSeconds,
    });
    return userIds ? stored : (stored[0] as Notification);
  }

  /**
   * Stores inside the caller's transaction (e.g. with the achievement it announces), so
   * both commit or neither does. The caller calls `publish` after the commit.
   */
  async storeIn(tx: Database, sends: readonly NotificationSend[]): Promise<Notification[]> {
    return (await this.repository.insertSends(sends, tx)).flat();
  }

  /** Pushes stored notifications, then the new unread count of each of their recipients. */
  async publish(stored: readonly Notification[]): Promise<void> {
    if (stored.length === 0) return;
    this.ws.emitNotificationToUsers(stored);
    await Promise.all(
      [...new Set(stored.map((n) => n.userId))].map((userId) =>
        this.unreadCounts.submit({ userId, push: true }),
      ),
    );
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

  private async countUnread(requests: readonly CountRequest[]): Promise<number[]> {
    const counts = await this.repository.unreadCounts([...new Set(requests.map((r) => r.userId))]);
    // Every request of the batch would push the same number: once per user is enough.
    const pushed = new Set(requests.filter((r) => r.push).map((r) => r.userId));
    for (const userId of pushed) this.ws.emitUnreadCount(userId, counts.get(userId) ?? 0);
    return requests.map((r) => counts.get(r.userId) ?? 0);
  }
}

/** Unknown and foreign ids look the same, so ids of other users cannot be probed. */
function notFound(): HeraldError {
  return new HeraldError(ErrorCode.NotFound, 'Notification not found');
}
