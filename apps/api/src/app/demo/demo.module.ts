import { Module } from '@nestjs/common';
import { GamificationModule } from '../gamification/gamification.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DemoController } from './demo.controller';
import { WebhookInbox } from './webhook-inbox';
import { WebhookInboxController } from './webhook-inbox.controller';

/**
 * Service actions for the demo web app, behind demo sign-in instead of the API key, and
 * the local inbox that receives escalation webhooks in development.
 */
@Module({
  imports: [NotificationsModule, GamificationModule],
  controllers: [DemoController, WebhookInboxController],
  providers: [{ provide: WebhookInbox, useFactory: () => new WebhookInbox() }],
})
export class DemoModule {}
