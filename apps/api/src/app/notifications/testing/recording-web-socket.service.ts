import {
  ServerEvent,
  userRoom,
  type Notification,
  type ServerEventPayloads,
} from '@herald/ws-contracts';

/** One event as the WebSocketService was asked to send it. */
export interface RecordedEmit {
  /** `user:{id}` for a user's devices, `socket:{id}` for one socket. */
  to: string;
  event: keyof ServerEventPayloads;
  payload: unknown;
}

/**
 * Stands in for WebSocketService in unit tests: records what would be pushed, in order,
 * with the same event and payload the real service builds.
 */
export class RecordingWebSocketService {
  readonly emits: RecordedEmit[] = [];

  emitToUser<E extends keyof ServerEventPayloads>(
    userId: string,
    event: E,
    payload: ServerEventPayloads[E],
  ): void {
    this.emits.push({ to: userRoom(userId), event, payload });
  }

  emitToSocket<E extends keyof ServerEventPayloads>(
    socketId: string,
    event: E,
    payload: ServerEventPayloads[E],
  ): void {
    this.emits.push({ to: `socket:${socketId}`, event, payload });
  }

  emitNotificationToUsers(notifications: readonly Notification[]): void {
    const timestamp = new Date().toISOString();
    for (const notification of notifications)
      this.emitToUser(notification.userId, ServerEvent.NotificationNew, {
        notification,
        timestamp,
      });
  }

  emitUnreadCount(userId: string, unreadCount: number): void {
    this.emitToUser(userId, ServerEvent.NotificationUnreadCount, { unreadCount });
  }

  /** What the devices of `userId` were sent, as `[event, payload]` in order. */
  toUser(userId: string): [keyof ServerEventPayloads, unknown][] {
    return this.emits
      .filter((emit) => emit.to === userRoom(userId))
      .map((emit) => [emit.event, emit.payload]);
  }

  clear(): void {
    this.emits.length = 0;
  }
}
