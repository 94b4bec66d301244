import { Module } from '@nestjs/common';
import { CreateNotificationBodyPipe } from './create-notification-body.pipe';
import { NotificationInsertHooks } from './notification-insert-hooks';
import { NotificationWriteBatcher } from './notification-write-batcher';
import { NotificationsController } from './notifications.controller';
import { NotificationsRealtimeHandlers } from './notifications.realtime';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** The durable inbox: store, HTTP API, socket events, unread count on connect. */
@Module({
  controllers: [NotificationsController],
  providers: [
    NotificationsRepository,
    NotificationInsertHooks,
    NotificationWriteBatcher,
    NotificationsService,
    NotificationsRealtimeHandlers,
    CreateNotificationBodyPipe,
  ],
  exports: [NotificationsService, CreateNotificationBodyPipe, NotificationInsertHooks],
})
export class NotificationsModule {}
