import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Registry } from 'prom-client';
import {
  ApiKeyMatcher,
  KeyedRateLimiter,
  RateLimiterFactory,
  rateLimitKeyFor,
} from '@herald/realtime';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { METRICS_REGISTRY } from '../metrics/metrics.registry';
import { httpRateLimitedCounter } from '../metrics/rate-limit.metrics';

/** Health probes and metric scrapes are never throttled. */
const EXEMPT_PATHS = /^\/api\/(health|metrics)(\/|\?|$)/;

/**
 * Per-client-IP HTTP rate limit (HTTP_RATE_LIMIT_PER_MINUTE): a burst of ten seconds' worth
 * of requests, then the per-minute rate. With REDIS_URL the count is shared by every process
 * of the cluster. Over it: 429 with Retry-After.
 * Requests bearing the valid service key are exempt — a backend fanning out notifications
 * is the point of the service, not an abuse of it — and so are health probes and scrapes.
 */
@Injectable()
export class HttpRateLimitMiddleware implements NestMiddleware {
  private readonly limiter: KeyedRateLimiter;
  private readonly serviceKey: ApiKeyMatcher;
  private readonly refused: Counter;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(RateLimiterFactory) rateLimiters: RateLimiterFactory,
  ) {
    this.refused = httpRateLimitedCounter(registry);
    const perMinute = config.limits.httpRatePerMinute;
    this.limiter = rateLimiters.create('http', {
      burst: Math.max(1, Math.ceil(perMinute / 6)),
      perSecond: perMinute / 60,
    });
    this.serviceKey = new ApiKeyMatcher(config.apiKey);
  }

  use(req: Request, _res: Response, next: NextFunction) {
    if (EXEMPT_PATHS.test(req.originalUrl) || this.serviceKey.matches(req.headers['x-api-key']))
      return next();
    // An IPv6 client is counted by its /64, which one subscriber usually holds whole.
    this.limiter.consume(rateLimitKeyFor(req.ip ?? 'unknown')).then((decision) => {
      if (decision.allowed) return next();
      this.refused.inc();
      // Answered by HttpExceptionFilter: 429 RATE_LIMITED with Retry-After.
      next(
        new HeraldError(ErrorCode.RateLimited, 'Too many requests; slow down', {
          retryAfterSeconds: decision.retryAfterSeconds,
        }),
      );
    }, next);
  }
}
