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
import { NotificationWriteBatcher } from './notification-write-batcher';
import { NotificationsRepository, type NewNotification } from './notifications.repository';

export interface ListOptions {
  unread: boolean;
  limit: number;
  cursor?: string;
}

export interface SendOptions {
  title: string;
  message: string;
  type?: string;
  data?: Record<string, unknown>;
}

export interface ReadResult {
  notificationId: string;
  unreadCount: number;
}

export interface ReadAllResult {
  updated: number;
  unreadCount: number;
}

/** Ids per grouped unread-count query at most (one array parameter). */
const MAX_USERS_PER_COUNT_QUERY = 1_000;

/**
 * The inbox use cases, shared by the HTTP controllers and the socket handlers. Every
 * change is stored first and pushed after it committed, to every device of the user
 * (their `user:{id}` room, cluster-wide), so devices agree with the database.
 */
@Injectable()
export class NotificationsService {
  private readonly writes: NotificationWriteBatcher;
  /**
   * Unread counts asked for at the same moment (a connect storm: one per socket) are read
   * with one grouped query instead of one COUNT each.
   */
  private readonly unreadCountReads = new MicroBatcher<string, number>(
    async (userIds) => {
      const counts = await this.repository.unreadCounts([...new Set(userIds)]);
      return userIds.map((userId) => counts.get(userId) ?? 0);
    },
    { weigh: () => 1, maxWeight: MAX_USERS_PER_COUNT_QUERY },
  );

  constructor(
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
  ) {
    this.writes = new NotificationWriteBatcher(repository, (stored) => this.publishNew(stored));
  }

  /**
   * Stores one notification per distinct recipient (all or none), then pushes
   * `notification:new` and each recipient's unread count. Concurrent sends share one
   * INSERT and one grouped count query (NotificationWriteBatcher); each gets its own records.
   */
  send(userIds: readonly string[], options: SendOptions): Promise<Notification[]> {
    return this.writes.send({ userIds: [...new Set(userIds)], content: options });
  }

  /** Stores inside the caller's transaction; the caller publishes after commit. */
  storeIn(tx: Database, items: readonly NewNotification[]): Promise<Notification[]> {
    return this.repository.insertMany(items, tx);
  }

  /** Pushes stored notifications and the new unread counts of their recipients. */
  async publishNew(stored: readonly Notification[]): Promise<void> {
    if (stored.length === 0) return;
    this.ws.emitNotificationToUsers(stored);
    const counts = await this.repository.unreadCounts([...new Set(stored.map((n) => n.userId))]);
    for (const [userId, unreadCount] of counts) this.ws.emitUnreadCount(userId, unreadCount);
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
    return this.unreadCountReads.submit(userId);
  }

  async markRead(userId: string, notificationId: string): Promise<ReadResult> {
    if (!(await this.repository.markRead(userId, notificationId))) throw notFound();
    const unreadCount = await this.repository.unreadCount(userId);
    this.ws.emitToUser(userId, ServerEvent.NotificationRead, { notificationId, success: true });
    this.ws.emitUnreadCount(userId, unreadCount);
    return { notificationId, unreadCount };
  }

  async markAllRead(userId: string): Promise<ReadAllResult> {
    const updated = await this.repository.markAllRead(userId);
    const unreadCount = await this.repository.unreadCount(userId);
    this.ws.emitToUser(userId, ServerEvent.NotificationRead, {
      notificationId: null,
      success: true,
      all: true,
    });
    this.ws.emitUnreadCount(userId, unreadCount);
    return { updated, unreadCount };
  }

  async delete(userId: string, notificationId: string): Promise<ReadResult> {
    if (!(await this.repository.delete(userId, notificationId))) throw notFound();
    const unreadCount = await this.repository.unreadCount(userId);
    this.ws.emitToUser(userId, ServerEvent.NotificationDeleted, { notificationId });
    this.ws.emitUnreadCount(userId, unreadCount);
    return { notificationId, unreadCount };
  }
}

/** Unknown and foreign ids look the same, so ids of other users cannot be probed. */
function notFound(): HeraldError {
  return new HeraldError(ErrorCode.NotFound, 'Notification not found');
}
