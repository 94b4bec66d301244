import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { ChannelsModule } from '../channels/channels.module';
import { ESCALATION_SENDERS, type EscalationSender } from '../channels/escalation-channel';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { METRICS_REGISTRY } from '../metrics/metrics.registry';
import { NotificationInsertHooks } from '../notifications/notification-insert-hooks';
import { NotificationsModule } from '../notifications/notifications.module';
import { PreferencesModule } from '../preferences/preferences.module';
import { UsersModule } from '../users/users.module';
import { EscalationDemoController } from './escalation-demo.controller';
import { EscalationStatusModule } from './escalation-status.module';
import { EscalationRepository, type ScheduleEntry } from './escalation.repository';
import { registerEscalationMetrics } from './escalation.metrics';
import { EscalationScheduler } from './escalation.scheduler';
import { ESCALATION_METRICS } from './escalation.tokens';

/**
 * Reaching users who are not connected: every notification gets one escalation row per
 * configured channel, in the transaction that stores it; the scheduler sends those that
 * no device received in time. With no channel configured nothing is scheduled, and a
 * send stays one statement.
 */
@Module({
  imports: [
    ChannelsModule,
    NotificationsModule,
    PreferencesModule,
    UsersModule,
    EscalationStatusModule,
  ],
  controllers: [EscalationDemoController],
  providers: [
    EscalationScheduler,
    {
      provide: ESCALATION_METRICS,
      inject: [METRICS_REGISTRY, EscalationRepository],
      useFactory: (registry: Registry, repository: EscalationRepository) =>
        registerEscalationMetrics(registry, () => repository.pendingByChannel()),
    },
  ],
  exports: [EscalationStatusModule, EscalationScheduler],
})
export class EscalationModule implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ESCALATION_SENDERS) private readonly senders: EscalationSender[],
    @Inject(NotificationInsertHooks) private readonly hooks: NotificationInsertHooks,
    @Inject(EscalationRepository) private readonly repository: EscalationRepository,
  ) {}

  onModuleInit(): void {
    const channels = this.senders.map((sender) => sender.channel);
    if (channels.length === 0) return;
    const defaultDelay = this.config.escalation.delaySeconds;
    this.hooks.register(async (tx, sends, stored) => {
      const entries: ScheduleEntry[] = [];
      sends.forEach((send, index) => {
        if (send.escalation?.escalate === false) return;
        const delaySeconds = send.escalation?.escalateAfterSeconds ?? defaultDelay;
        for (const notification of stored[index] ?? []) {
          entries.push({
            notificationId: notification.id,
            userId: notification.userId,
            delaySeconds,
          });
        }
      });
      await this.repository.schedule(tx, entries, channels);
    });
  }
}
