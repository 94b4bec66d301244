import { TokenBucket } from './token-bucket';

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
});
