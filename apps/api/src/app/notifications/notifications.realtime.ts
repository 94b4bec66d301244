import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { RealtimeEventRegistry, toErrorDetail, WebSocketService } from '@herald/realtime';
import { ClientEvent, ServerEvent } from '@herald/ws-contracts';
import { BurstBuffer } from '../realtime/burst-buffer';
import { NotificationsService } from './notifications.service';

/**
 * How long the unread counts of a connect storm wait for each other (the first socket after
 * a quiet spell waits for nothing), and how many are read at most in one go. Each count
 * query costs the same however many users it reads (building it, the database thread), so
 * in a storm it is the number of queries that costs: 50 ms, like the address writes of
 * UserEmailRecorder, is unnoticeable for a badge and reads a storm in 2.5× fewer queries
 * than 20 ms did.
 */
const COUNT_BURST_WINDOW_MS = 50;
const COUNT_BURST_MAX = 500;

/** A socket that connected and waits for its unread count. */
interface CountWanted {
  userId: string;
  socketId: string;
}

/**
 * Plugs the inbox into the gateway: the inbox's client events do exactly what their HTTP
 * twins do (same service methods, so the same HeraldErrors: an unknown id is NOT_FOUND, a
 * database outage SERVICE_UNAVAILABLE), and a socket that connects is told its unread count.
 */
@Injectable()
export class NotificationsRealtimeHandlers implements OnModuleInit {
  private readonly logger = new Logger(NotificationsRealtimeHandlers.name);
  private readonly countsWanted = new BurstBuffer<CountWanted>(
    (burst) => void this.sendUnreadCounts(burst),
    COUNT_BURST_WINDOW_MS,
    COUNT_BURST_MAX,
  );

  constructor(
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
  ) {}

  onModuleInit() {
    this.registry.handle(ClientEvent.MarkRead, ({ user }, { notificationId }) =>
      this.notifications.markRead(user.userId, notificationId),
    );
    this.registry.handle(ClientEvent.MarkAllRead, ({ user }) =>
      this.notifications.markAllRead(user.userId),
    );
    this.registry.handle(ClientEvent.Delete, ({ user }, { notificationId }) =>
      this.notifications.delete(user.userId, notificationId),
    );
    // Receipts of every socket are written together (one UPDATE per batch); ids that are
    // not the user's own match nothing and are acknowledged all the same.
    this.registry.handle(ClientEvent.Received, async ({ user }, { notificationIds }) => {
      await this.notifications.recordReceipts(user.userId, notificationIds);
      return {};
    });
    // Synchronous: the socket only joins the burst of its storm, whose counts are read with
    // one grouped query (see COUNT_BURST_WINDOW_MS).
    this.registry.onConnect(({ userId }, socketId) => {
      this.countsWanted.add({ userId, socketId });
    });
  }

  /**
   * Tells each socket of a burst its user's unread count. When the counts cannot be read
   * (the database is down) each socket hears why in an `error` event, as from a failing
   * connect hook, and keeps its connection: the client reads the count again on resync.
   */
  private async sendUnreadCounts(burst: readonly CountWanted[]): Promise<void> {
    try {
      const counts = await this.notifications.unreadCountsOf(burst.map((s) => s.userId));
      for (const { userId, socketId } of burst)
        this.ws.emitToSocket(socketId, ServerEvent.NotificationUnreadCount, {
          unreadCount: counts.get(userId) ?? 0,
        });
    } catch (error) {
      const detail = toErrorDetail(error);
      this.logger.error({
        msg: 'Could not read the unread counts of connecting sockets',
        sockets: burst.length,
        code: detail.code,
        err: error,
      });
      for (const { socketId } of burst) this.ws.emitToSocket(socketId, ServerEvent.Error, detail);
    }
  }
}
