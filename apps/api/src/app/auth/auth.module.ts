import { Module } from '@nestjs/common';
import { GamificationModule } from '../gamification/gamification.module';
import { AuthController } from './auth.controller';
import { DemoEnabledGuard } from './demo-enabled.guard';
import { DemoTokenService } from './demo-token.service';

/** Demo sign-in (DEMO_AUTH). Real deployments get their tokens from their own auth service. */
@Module({
  imports: [GamificationModule],
  controllers: [AuthController],
  providers: [DemoTokenService, DemoEnabledGuard],
  exports: [DemoEnabledGuard],
})
export class AuthModule {}
