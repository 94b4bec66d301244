import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
} from 'rate-limiter-flexible';
import { FixedWindows } from './fixed-windows';

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

const ALLOWED: RateLimitDecision = Object.freeze({ allowed: true });

/** A window of `points` actions per `duration` seconds (rate-limiter-flexible's terms). */
interface WindowRule {
  points: number;
  duration: number;
}

/**
 * A keyed rate limit (per client IP, per user…): a steady budget of `perSecond`, backed by a
 * reserve holding `burst` that is drawn on only when the steady budget is spent (what
 * rate-limiter-flexible's `BurstyRateLimiter` does for peaks).
 *
 * Without a store the counters live in this process and `take` answers at once
 * (`FixedWindows`, the same fixed windows as the library's memory limiter). With one they
 * live in Redis (`RateLimiterRedis`), so a client that spreads its requests over the
 * processes of a cluster meets one budget; while Redis is unreachable each process falls
 * back to an in-memory limiter of the same rule (`insuranceLimiter`), so an outage
 * degrades to per-process limits rather than refusing everyone or letting everyone through.
 */
export class KeyedRateLimiter {
  private readonly local?: { steady: FixedWindows; burst: FixedWindows };
  private readonly shared?: BurstyRateLimiter;

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
    if (store) {
      this.shared = new BurstyRateLimiter(
        this.inRedis('steady', steady, store),
        this.inRedis('burst', burst, store),
      );
    } else {
      this.local = {
        steady: new FixedWindows(steady.points, steady.duration * 1_000),
        burst: new FixedWindows(burst.points, burst.duration * 1_000),
      };
    }
  }

  /** Counts one action of `key`; refused when both the steady budget and the reserve are spent. */
  async consume(key: string): Promise<RateLimitDecision> {
    return this.take(key);
  }

  /**
   * `consume`, answered synchronously when the counters live in this process (a promise only
   * when they live in Redis), for callers that run once per connection.
   */
  take(key: string): RateLimitDecision | Promise<RateLimitDecision> {
    if (this.local) return takeLocally(this.local, key, Date.now());
    return this.consumeShared(key);
  }

  private async consumeShared(key: string): Promise<RateLimitDecision> {
    try {
      await (this.shared as BurstyRateLimiter).consume(key);
      return ALLOWED;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return refused(rejection.msBeforeNext);
      throw rejection;
    }
  }

  private inRedis(part: 'steady' | 'burst', window: WindowRule, store: RateLimitStore) {
    const options: IRateLimiterOptions = { ...window, keyPrefix: `${this.name}:${part}` };
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

function takeLocally(
  windows: { steady: FixedWindows; burst: FixedWindows },
  key: string,
  now: number,
): RateLimitDecision {
  const steadyWait = windows.steady.take(key, now);
  if (steadyWait === 0) return ALLOWED;
  const burstWait = windows.burst.take(key, now);
  if (burstWait === 0) return ALLOWED;
  // The library's bursty limiter answers the sooner of the two windows' ends.
  return refused(Math.min(steadyWait, burstWait));
}

function refused(msBeforeNext: number): RateLimitDecision {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)) };
}
