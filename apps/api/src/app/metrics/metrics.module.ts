import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { DeliveryMetrics } from './delivery.metrics';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { HttpRequestMetrics } from './http-request-metrics';
import { MetricsController } from './metrics.controller';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics.registry';

/** `GET /api/metrics`; other modules inject METRICS_REGISTRY to add their own metrics. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    { provide: METRICS_REGISTRY, useFactory: createMetricsRegistry },
    DeliveryMetrics,
    HttpRequestMetrics,
  ],
  exports: [METRICS_REGISTRY, DeliveryMetrics, HttpRequestMetrics],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
