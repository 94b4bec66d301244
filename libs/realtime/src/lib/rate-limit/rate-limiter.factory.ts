import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { DEFAULT_REDIS_COMMAND_TIMEOUT_MS } from '../cluster/redis-cluster-backend';
import { createRedisConnection, type HeraldRedis } from '../cluster/redis-connection';
import { REALTIME_OPTIONS, type ResolvedRealtimeOptions } from '../realtime.options';
import { KeyedRateLimiter, type RateLimitRule, type RateLimitStore } from './keyed-rate-limiter';

/**
 * Makes the keyed rate limiters of the application (the handshake limit here, the app's
 * HTTP limit) on one store: this process without `redis`, and with it one Redis
 * connection shared by every limiter, keys under `{REDIS_KEY_PREFIX}:rate-limit:`.
 * Inject it wherever a limit must hold across the cluster.
 */
@Injectable()
export class RateLimiterFactory implements OnApplicationShutdown {
  private readonly store?: RateLimitStore & { client: HeraldRedis };

  constructor(@Inject(REALTIME_OPTIONS) options: ResolvedRealtimeOptions) {
    if (options.redis) {
      this.store = {
        // Offline queue off and a command timeout: while Redis is away or does not answer, a
        // check fails (at once, or after the timeout) and the limiter's in-memory insurance
        // answers, rather than handshakes and requests waiting on a dead or frozen Redis.
        client: createRedisConnection(options.redis.url, 'rate-limit', {
          offlineQueue: false,
          commandTimeoutMs: options.redis.commandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
        }),
        keyPrefix: `${options.redis.keyPrefix}:rate-limit`,
      };
    }
  }

  /** True when the limits are counted in Redis, i.e. across every process of the cluster. */
  get clusterWide(): boolean {
    return this.store !== undefined;
  }

  /** A limiter named `name` (unique per application: it names the Redis keys) for `rule`. */
  create(name: string, rule: RateLimitRule): KeyedRateLimiter {
    return new KeyedRateLimiter(name, rule, this.store);
  }

  onApplicationShutdown(): void {
    this.store?.client.disconnect();
  }
}
