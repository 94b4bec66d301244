import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
} from 'rate-limiter-flexible';

/**
 * A budget per key: `perSecond` actions a second, plus a reserve of `burst` more for
 * peaks. The reserve comes back whole once the time it represents (`burst / perSecond`
 * seconds) has passed, so a quiet client can always spend `perSecond + burst` at once.
 */
export interface RateLimitRule {
  burst: number;
  perSecond: number;
}

/** Where the counters live: this process, or Redis shared by every process of a cluster. */
export interface RateLimitStore {
  /** A connection with its offline queue off, so an outage fails fast to the insurance. */
  client: Redis;
  /** Every key starts with it (REDIS_KEY_PREFIX plus the limiter's name). */
  keyPrefix: string;
}

/** The verdict for one action. */
export type RateLimitDecision =
  | { allowed: true }
  | {
      allowed: false;
      /** Whole seconds until the key may act again, at least 1. */ retryAfterSeconds: number;
    };

/** Steady part of a rule as a whole number of points per whole number of seconds. */
function steadyWindow(perSecond: number): { points: number; duration: number } {
  const duration = Math.max(1, Math.ceil(1 / perSecond));
  return { points: Math.max(1, Math.round(perSecond * duration)), duration };
}

function assertRule(name: string, { burst, perSecond }: RateLimitRule): void {
  if (!(Number.isFinite(burst) && burst >= 1) || !(Number.isFinite(perSecond) && perSecond > 0)) {
    throw new Error(
      `Rate limit "${name}" needs burst >= 1 and perSecond > 0 (got burst ${burst}, perSecond ${perSecond})`,
    );
  }
}

/**
 * A keyed rate limit (per client IP, per user…) built on rate-limiter-flexible: a steady
 * limiter of `perSecond`, backed by a burst limiter holding `burst`
 * (`BurstyRateLimiter`, the library's answer for peaks).
 *
 * Without a store the counters live in this process (`RateLimiterMemory`). With one they
 * live in Redis (`RateLimiterRedis`), so a client that spreads its requests over the
 * processes of a cluster meets one budget; while Redis is unreachable each process falls
 * back to an in-memory limiter of the same rule (`insuranceLimiter`), so an outage
 * degrades to per-process limits rather than refusing everyone or letting everyone through.
 */
export class KeyedRateLimiter {
  private readonly limiter: BurstyRateLimiter;

  constructor(
    /** Short name, part of the Redis keys and of error messages (e.g. `handshake`, `http`). */
    readonly name: string,
    readonly rule: RateLimitRule,
    store?: RateLimitStore,
  ) {
    assertRule(name, rule);
    const steady = steadyWindow(rule.perSecond);
    const burst = {
      points: Math.ceil(rule.burst),
      duration: Math.max(steady.duration, Math.ceil(rule.burst / rule.perSecond)),
    };
    this.limiter = new BurstyRateLimiter(
      this.build('steady', steady, store),
      this.build('burst', burst, store),
    );
  }

  /** Counts one action of `key`; refused when both the steady budget and the reserve are spent. */
  async consume(key: string): Promise<RateLimitDecision> {
    try {
      await this.limiter.consume(key);
      return { allowed: true };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        };
      }
      throw rejection;
    }
  }

  private build(
    part: 'steady' | 'burst',
    window: { points: number; duration: number },
    store: RateLimitStore | undefined,
  ) {
    const options: IRateLimiterOptions = { ...window, keyPrefix: `${this.name}:${part}` };
    if (!store) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      storeClient: store.client,
      keyPrefix: `${store.keyPrefix}:${this.name}:${part}`,
      // Not connected → straight to the insurance instead of waiting on a dead socket.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }
}
