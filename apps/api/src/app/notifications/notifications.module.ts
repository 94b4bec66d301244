import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { NotificationsRealtimeHandlers } from './notifications.realtime';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';

/** The durable inbox: store, HTTP API, socket events, unread count on connect. */
@Module({
  controllers: [NotificationsController],
  providers: [NotificationsRepository, NotificationsService, NotificationsRealtimeHandlers],
  exports: [NotificationsService],
})
export class NotificationsModule {}
