import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { GamificationController } from './gamification.controller';
import { GamificationService } from './gamification.service';

/** The demo game: XP, ranks, achievements (also inbox notifications) and a leaderboard. */
@Module({
  imports: [NotificationsModule, IdempotencyModule],
  controllers: [GamificationController],
  providers: [GamificationService],
  exports: [GamificationService],
})
export class GamificationModule {}
