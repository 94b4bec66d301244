import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Counter, Registry } from 'prom-client';
import { KeyedRateLimiter } from '@herald/realtime';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { METRICS_REGISTRY } from '../metrics/metrics.registry';
import { httpRateLimitedCounter } from '../metrics/rate-limit.metrics';

/** Health probes and metric scrapes are never throttled. */
const EXEMPT_PATHS = /^\/api\/(health|metrics)(\/|\?|$)/;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Distinct x-api-key values whose verdict is remembered (cleared when full: bounded memory). */
const VERDICT_CACHE_SIZE = 16;
/** Longer values are never remembered, so the cache stays small whatever clients send. */
const VERDICT_CACHE_MAX_KEY_LENGTH = 256;

/**
 * Per-client-IP HTTP rate limit (HTTP_RATE_LIMIT_PER_MINUTE): a token bucket holding ten
 * seconds' worth of requests, refilled continuously. Over it: 429 with Retry-After.
 * Requests bearing the valid service key are exempt — a backend fanning out notifications
 * is the point of the service, not an abuse of it — and so are health probes and scrapes.
 */
@Injectable()
export class HttpRateLimitMiddleware implements NestMiddleware {
  private readonly limiter: KeyedRateLimiter;
  private readonly apiKeyDigest?: Buffer;
  private readonly retryAfterSeconds: number;
  private readonly refused: Counter;
  /**
   * A service sends the same key on every request; hashing it each time cost ~20 µs per
   * request in the profile. The comparison itself stays constant-time (digests); a Map
   * lookup only compares strings whose hashes collide, so it reveals nothing about the key.
   */
  private readonly keyVerdicts = new Map<string, boolean>();

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(METRICS_REGISTRY) registry: Registry) {
    this.refused = httpRateLimitedCounter(registry);
    const perMinute = config.limits.httpRatePerMinute;
    this.limiter = new KeyedRateLimiter({
      capacity: Math.max(1, Math.ceil(perMinute / 6)),
      refillPerSecond: perMinute / 60,
    });
    this.retryAfterSeconds = Math.max(1, Math.ceil(60 / perMinute));
    this.apiKeyDigest = config.apiKey ? digest(config.apiKey) : undefined;
  }

  use(req: Request, res: Response, next: NextFunction) {
    if (EXEMPT_PATHS.test(req.originalUrl) || this.hasServiceKey(req)) return next();
    if (this.limiter.take(req.ip ?? 'unknown')) return next();
    this.refused.inc();
    res.setHeader('retry-after', String(this.retryAfterSeconds));
    res.status(429).json({
      statusCode: 429,
      message: 'Too many requests; slow down',
      error: 'Too Many Requests',
      code: 'RATE_LIMITED',
    });
  }

  private hasServiceKey(req: Request): boolean {
    const header = req.headers['x-api-key'];
    const given = Array.isArray(header) ? header[0] : header;
    if (!given || !this.apiKeyDigest) return false;
    const known = this.keyVerdicts.get(given);
    if (known !== undefined) return known;
    const verdict = timingSafeEqual(digest(given), this.apiKeyDigest);
    if (given.length <= VERDICT_CACHE_MAX_KEY_LENGTH) {
      if (this.keyVerdicts.size >= VERDICT_CACHE_SIZE) this.keyVerdicts.clear();
      this.keyVerdicts.set(given, verdict);
    }
    return verdict;
  }
}
