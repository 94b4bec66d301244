import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { RealtimeError, RealtimeEventRegistry, WebSocketService } from '@herald/realtime';
import { ClientEvent, ErrorCode, ServerEvent } from '@herald/ws-contracts';
import { DependencyUnavailableError } from '../http/http-exception.filter';
import { NotificationsService } from './notifications.service';

/**
 * Plugs the inbox into the gateway: the three client events do exactly what their HTTP
 * twins do (same service methods), and a socket that connects is told its unread count.
 */
@Injectable()
export class NotificationsRealtimeHandlers implements OnModuleInit {
  constructor(
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
  ) {}

  onModuleInit() {
    this.registry.handle(ClientEvent.MarkRead, ({ user }, { notificationId }) =>
      outageAware(() => this.notifications.markRead(user.userId, notificationId)),
    );
    this.registry.handle(ClientEvent.MarkAllRead, ({ user }) =>
      outageAware(() => this.notifications.markAllRead(user.userId)),
    );
    this.registry.handle(ClientEvent.Delete, ({ user }, { notificationId }) =>
      outageAware(() => this.notifications.delete(user.userId, notificationId)),
    );
    // Sockets connecting together share one grouped count query (NotificationsService).
    this.registry.onConnect(async (user, socketId) => {
      const unreadCount = await outageAware(() => this.notifications.unreadCount(user.userId));
      this.ws.emitToSocket(socketId, ServerEvent.NotificationUnreadCount, { unreadCount });
    });
  }
}

/** A database outage answers SERVICE_UNAVAILABLE on a socket, as it answers 503 over HTTP. */
async function outageAware<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DependencyUnavailableError)
      throw new RealtimeError(ErrorCode.Unavailable, error.message);
    throw error;
  }
}
