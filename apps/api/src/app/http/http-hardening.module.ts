import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { HttpRateLimitMiddleware } from './http-rate-limit.middleware';

/** HTTP-wide protections that run before any controller. */
@Module({ providers: [HttpRateLimitMiddleware] })
export class HttpHardeningModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(HttpRateLimitMiddleware).forRoutes('*path');
  }
}
