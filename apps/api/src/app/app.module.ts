import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { AppConfig } from './config/app-config';
import { AuthModule } from './auth/auth.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { EscalationModule } from './escalation/escalation.module';
import { GamificationModule } from './gamification/gamification.module';
import { HealthModule } from './health/health.module';
import { HttpExceptionFilter } from './http/http-exception.filter';
import { HttpHardeningModule } from './http/http-hardening.module';
import { ServiceFastLaneModule } from './http/fast-lane/service-fast-lane.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OverloadModule } from './overload/overload.module';
import { AsyncApiModule } from './openapi/asyncapi.module';
import { PreferencesModule } from './preferences/preferences.module';
import { RealtimeWiringModule } from './realtime/realtime-wiring.module';
import { SweeperModule } from './sweeper/sweeper.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forRoot(config.log),
        HealthModule,
        MetricsModule,
        HttpHardeningModule,
        OverloadModule,
        RealtimeWiringModule,
        DatabaseModule,
        NotificationsModule,
        GamificationModule,
        SweeperModule,
        AuthModule,
        DemoModule,
        AsyncApiModule,
        UsersModule,
        PreferencesModule,
        EscalationModule,
        ServiceFastLaneModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
