import { Module } from '@nestjs/common';
import { GamificationModule } from '../gamification/gamification.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DemoController } from './demo.controller';

/** Service actions for the demo web app, behind demo sign-in instead of the API key. */
@Module({ imports: [NotificationsModule, GamificationModule], controllers: [DemoController] })
export class DemoModule {}
