import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { WebSocketService } from '@herald/realtime';
import { loadConfig } from '../../config/app-config';
import { AppConfigModule } from '../../config/config.module';
import { DatabaseModule } from '../../database/database.module';
import { HealthModule } from '../../health/health.module';
import { IdempotencyRepository } from '../../idempotency/idempotency.repository';
import { DeliveryMetrics } from '../../metrics/delivery.metrics';
import { createMetricsRegistry, METRICS_REGISTRY } from '../../metrics/metrics.registry';
import { NotificationWriteBatcher } from '../notification-write-batcher';
import { NotificationsRepository } from '../notifications.repository';
import { NotificationsService } from '../notifications.service';
import { RecordingWebSocketService } from './recording-web-socket.service';

export interface InboxTestModule {
  module: TestingModule;
  ws: RecordingWebSocketService;
}

/**
 * The inbox as the app wires it (DatabaseModule on an in-memory PGlite, migrated; the real
 * repository, write batcher and service), with a WebSocketService that records what would
 * be pushed. `providers` adds the pieces under test on top. Close it with `module.close()`.
 */
export async function createInboxTestModule(
  providers: ModuleMetadata['providers'] = [],
): Promise<InboxTestModule> {
  const ws = new RecordingWebSocketService();
  const module = await Test.createTestingModule({
    imports: [
      AppConfigModule.forRoot(loadConfig({ DATABASE_URL: 'memory://' })),
      HealthModule,
      DatabaseModule,
    ],
    providers: [
      NotificationsRepository,
      IdempotencyRepository,
      NotificationWriteBatcher,
      { provide: METRICS_REGISTRY, useFactory: createMetricsRegistry },
      DeliveryMetrics,
      NotificationsService,
      { provide: WebSocketService, useValue: ws },
      ...providers,
    ],
  }).compile();
  await module.init();
  return { module, ws };
}
