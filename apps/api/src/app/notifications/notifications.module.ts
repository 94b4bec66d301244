import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { CreateNotificationBodyPipe } from './create-notification-body.pipe';
import { NotificationWriteBatcher } from './notification-write-batcher';
import { NotificationsController } from './notifications.controller';
import { NotificationsRealtimeHandlers } from './notifications.realtime';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** The durable inbox: store, HTTP API, socket events, unread count on connect. */
@Module({
  imports: [IdempotencyModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsRepository,
    NotificationWriteBatcher,
    NotificationsService,
    NotificationsRealtimeHandlers,
    CreateNotificationBodyPipe,
  ],
  exports: [NotificationsService, NotificationsRepository, CreateNotificationBodyPipe],
})
export class NotificationsModule {}
