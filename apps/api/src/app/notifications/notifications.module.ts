import { Module } from '@nestjs/common';
import { EscalationStatusModule } from '../escalation/escalation-status.module';
import { EscalationStatusReader } from '../escalation/escalation-status.reader';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ESCALATION_STATUS_READER } from './escalation-status';
import { CreateNotificationBatchBodyPipe } from './create-notification-batch-body.pipe';
import { CreateNotificationBodyPipe } from './create-notification-body.pipe';
import { NotificationInsertHooks } from './notification-insert-hooks';
import { NotificationWriteBatcher } from './notification-write-batcher';
import { NotificationsController } from './notifications.controller';
import { NotificationsRealtimeHandlers } from './notifications.realtime';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** The durable inbox: store, HTTP API, socket events, unread count on connect. */
@Module({
  imports: [IdempotencyModule, EscalationStatusModule],
  controllers: [NotificationsController],
  providers: [
    NotificationsRepository,
    NotificationInsertHooks,
    NotificationWriteBatcher,
    NotificationsService,
    NotificationsRealtimeHandlers,
    CreateNotificationBodyPipe,
    CreateNotificationBatchBodyPipe,
    // The status endpoint lists the escalation schedule's rows for the notification.
    { provide: ESCALATION_STATUS_READER, useExisting: EscalationStatusReader },
  ],
  exports: [
    NotificationsService,
    NotificationsRepository,
    CreateNotificationBodyPipe,
    NotificationInsertHooks,
  ],
})
export class NotificationsModule {}
