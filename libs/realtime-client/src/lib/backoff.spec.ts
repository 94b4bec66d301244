import { backoffDelay, resolveBackoff } from './backoff';
import { readTokenExpiry, refreshDelay } from './token';

describe('backoffDelay', () => {
  const options = resolveBackoff({ minMs: 1_000, maxMs: 15_000, jitter: 0.5 });

  it('grows exponentially from the minimum and never exceeds the maximum', () => {
    const middle = () => 0.5; // no deviation
    expect([0, 1, 2, 3, 4, 5, 10, 100].map((a) => backoffDelay(a, options, middle))).toEqual([
      1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000,
    ]);
  });

  it('spreads clients that reconnect at the same moment by up to ± the jitter', () => {
    const delays = Array.from({ length: 200 }, () => backoffDelay(2, options));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(6_000);
    expect(new Set(delays).size).toBeGreaterThan(50);
  });

  it('clamps nonsense options to something usable', () => {
    expect(resolveBackoff({ minMs: -5, maxMs: -10, jitter: 7 })).toEqual({
      minMs: 0,
      maxMs: 0,
      jitter: 1,
    });
  });
});

describe('token expiry', () => {
  const jwt = (claims: object) =>
    `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;

  it('reads exp from a JWT without verifying it', () => {
    expect(readTokenExpiry(jwt({ sub: 'ü', exp: 1_700_000_000 }))).toBe(1_700_000_000_000);
  });

  it.each(['', 'not-a-jwt', 'a.%%%.c', jwt({ sub: 'x' }), jwt({ exp: 'soon' })])(
    'returns null for %j',
    (token) => {
      expect(readTokenExpiry(token)).toBeNull();
    },
  );

  it('refreshes a minute early for long tokens and at 80% of the life of short ones', () => {
    expect(refreshDelay(3_600_000, 0, 60_000)).toBe(3_540_000);
    expect(refreshDelay(10_000, 0, 60_000)).toBe(8_000);
    expect(refreshDelay(500, 0, 60_000)).toBe(1_000);
  });
});
