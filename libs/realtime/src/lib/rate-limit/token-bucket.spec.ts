import { KeyedRateLimiter, TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then refuses', () => {
    const bucket = new TokenBucket({ capacity: 50, refillPerSecond: 10 }, 0);
    const allowed = Array.from({ length: 60 }, () => bucket.take(0)).filter(Boolean).length;
    expect(allowed).toBe(50);
  });

  it('refills at `refillPerSecond`', () => {
    const bucket = new TokenBucket({ capacity: 50, refillPerSecond: 10 }, 0);
    for (let i = 0; i < 50; i++) bucket.take(0);
    expect(bucket.take(50)).toBe(false); // 0.5 token after 50 ms
    expect(bucket.take(100)).toBe(true); // 1 token after 100 ms
    expect(bucket.take(100)).toBe(false);
    const afterOneSecond = Array.from({ length: 20 }, () => bucket.take(1_100)).filter(
      Boolean,
    ).length;
    expect(afterOneSecond).toBe(10);
  });

  it('never holds more than its capacity, however long it idled', () => {
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 100 }, 0);
    const allowed = Array.from({ length: 10 }, () => bucket.take(3_600_000)).filter(Boolean).length;
    expect(allowed).toBe(5);
  });

  it('treats a clock going backwards as no time passed', () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 }, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(5_000)).toBe(false);
  });

  it('refuses nonsense options', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow();
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow();
    expect(() => new TokenBucket({ capacity: Number.NaN, refillPerSecond: 1 })).toThrow();
  });

  it('lets at least 50 handshakes a second through with the default handshake limits', () => {
    const bucket = new TokenBucket({ capacity: 200, refillPerSecond: 100 }, 0);
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms += 10) if (bucket.take(ms)) allowed++; // 100 attempts per second
    expect(allowed).toBe(1_000);
  });
});

describe('KeyedRateLimiter', () => {
  it('keeps one bucket per key', () => {
    const limiter = new KeyedRateLimiter({ capacity: 2, refillPerSecond: 1 });
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.take('b', 0)).toBe(true);
  });

  it('stays bounded under a scan of many keys', () => {
    const limiter = new KeyedRateLimiter({ capacity: 2, refillPerSecond: 1 }, 100);
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });

  it('forgets buckets that refilled before dropping busy ones', () => {
    const limiter = new KeyedRateLimiter({ capacity: 1, refillPerSecond: 1 }, 3);
    limiter.take('idle', 0);
    limiter.take('busy-1', 5_000);
    limiter.take('busy-2', 5_000);
    limiter.take('new', 5_000); // 'idle' refilled and is pruned
    expect(limiter.take('busy-1', 5_000)).toBe(false); // still remembered and empty
  });
});
