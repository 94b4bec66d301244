import { parseRetryAfter } from '../channels/retry-after';
import { MAX_RETRY_AFTER_SECONDS, nextRetryDelaySeconds } from './retry-schedule';

const DEFAULT = [5, 30, 300, 1800, 7200];

describe('retry schedule', () => {
  it('waits the scheduled delay before each retry, then gives up (six attempts by default)', () => {
    expect([1, 2, 3, 4, 5].map((n) => nextRetryDelaySeconds(n, DEFAULT))).toEqual(DEFAULT);
    expect(nextRetryDelaySeconds(6, DEFAULT)).toBeNull();
  });

  it('honours a Retry-After that asks for longer, never one that asks for less', () => {
    expect(nextRetryDelaySeconds(1, DEFAULT, 120)).toBe(120);
    expect(nextRetryDelaySeconds(3, DEFAULT, 10)).toBe(300);
    expect(nextRetryDelaySeconds(1, DEFAULT, 10 * 24 * 3600)).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it('takes fractional delays (short schedules in tests)', () => {
    expect(nextRetryDelaySeconds(1, [0.2, 0.4])).toBe(0.2);
    expect(nextRetryDelaySeconds(2, [0.2, 0.4])).toBe(0.4);
    expect(nextRetryDelaySeconds(3, [0.2, 0.4])).toBeNull();
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-01-15T12:00:00Z');

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Thu, 15 Jan 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Thu, 15 Jan 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
