import { Inject, Module, type OnApplicationBootstrap, type Type } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { Server } from 'node:http';
import {
  ApiKeyMatcher,
  RealtimeServiceController,
  ServerEventBatchBodyPipe,
  ServerEventBodyPipe,
  ZodValidationPipe,
} from '@herald/realtime';
import { userIdSchema } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  type IdempotentOutcome,
} from '../../idempotency/idempotent-request';
import { HttpRequestMetrics } from '../../metrics/http-request-metrics';
import { NotificationsController } from '../../notifications/notifications.controller';
import { OverloadModule } from '../../overload/overload.module';
import { PublishShedding } from '../../overload/publish-shedding';
import { bodyLimitBytes, ServiceFastLane, type FastAnswer } from './service-fast-lane';

const eventBody = new ServerEventBodyPipe();
const eventBatchBody = new ServerEventBatchBodyPipe();
const userIdParam = new ZodValidationPipe(userIdSchema);

/**
 * Puts the service fast lane in front of the HTTP server once every route and the
 * Socket.IO server exist: the publish endpoints a backend calls in volume, answered by
 * their own controllers without the framework's request pipeline.
 */
@Module({ imports: [OverloadModule] })
export class ServiceFastLaneModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(HttpRequestMetrics) private readonly metrics: HttpRequestMetrics,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(PublishShedding) private readonly shedding: PublishShedding,
  ) {}

  onApplicationBootstrap(): void {
    const serviceKey = new ApiKeyMatcher(this.config.apiKey);
    if (!serviceKey.enabled) return;
    const lane = new ServiceFastLane({
      bodyLimitBytes: bodyLimitBytes(this.config.limits.httpBodyLimit),
      isServiceKey: (header) => serviceKey.matches(header),
      observe: (method, route, status, seconds) =>
        this.metrics.observe(method, route, status, seconds),
      // Every route of the lane is a publish: the same load shedding as the long way.
      admit: (res) => this.shedding.admit(res),
    });
    const realtime = this.controller(RealtimeServiceController);
    if (realtime) {
      lane
        .add({
          pattern: '/api/realtime/users/:userId/events',
          handle: async ({ params, body }) => ({
            status: 202,
            body: await realtime.emitToUser(
              userIdParam.transform(params['userId']),
              eventBody.transform(body),
            ),
          }),
        })
        .add({
          pattern: '/api/realtime/events',
          handle: async ({ body }) => ({
            status: 202,
            body: await realtime.emitBatch(eventBatchBody.transform(body)),
          }),
        })
        .add({
          pattern: '/api/realtime/broadcast',
          handle: async ({ body }) => ({
            status: 202,
            body: realtime.broadcast(eventBody.transform(body)),
          }),
        });
    }
    const notifications = this.controller(NotificationsController);
    if (notifications) {
      lane
        .add({
          pattern: '/api/notifications',
          handle: async ({ body, headers }) =>
            idempotentAnswer(await notifications.createOutcome(body, headers['idempotency-key'])),
        })
        .add({
          pattern: '/api/notifications/batch',
          handle: async ({ body, headers }) =>
            idempotentAnswer(
              await notifications.createBatchOutcome(body, headers['idempotency-key']),
            ),
        });
    }
    lane.install(this.adapterHost.httpAdapter.getHttpServer() as Server);
  }

  /** The instance the framework routes to (controllers are not injectable providers). */
  private controller<T>(type: Type<T>): T | undefined {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return undefined;
    }
  }
}

/** An idempotent outcome as an answer: its status, and `Idempotent-Replayed` on a replay. */
function idempotentAnswer(outcome: IdempotentOutcome): FastAnswer {
  return {
    status: outcome.status,
    body: outcome.body,
    headers: outcome.replayed ? { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } : undefined,
  };
}
