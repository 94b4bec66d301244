import { mintToken } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, expectRefusal } from '../support/clients';
import { startRealtimeApi } from './realtime-harness';

describe('handshake rate limit per client address', () => {
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;

  beforeAll(async () => {
    api = await startRealtimeApi(inject('runId'), {
      HANDSHAKE_RATE_LIMIT_BURST: '5',
      HANDSHAKE_RATE_LIMIT_PER_SECOND: '1',
    });
  });
  afterAll(async () => {
    await api?.stopAll();
  });

  it('refuses handshakes past the burst with RATE_LIMITED, before checking the token', async () => {
    // Burst 5, refill 1/s: of 15 simultaneous attempts only about 5 are looked at; the rest are
    // refused whatever their token, garbage included.
    const token = await mintToken('rl-user');
    const attempts = [
      ...Array.from({ length: 5 }, () =>
        connectAuthenticated(api.url, { token }).then((s) => (s.close(), 'accepted')),
      ),
      ...Array.from({ length: 10 }, () =>
        expectRefusal(api.url, { token: 'not-a-jwt' }).then((e) => `garbage:${e.data?.code}`),
      ),
    ];
    const outcomes = await Promise.all(
      attempts.map((p) => p.catch((e: { data?: { code?: string } }) => `valid:${e.data?.code}`)),
    );
    const limited = outcomes.filter((o) => o.endsWith(ErrorCode.RateLimited));
    const looked = outcomes.filter(
      (o) => o === 'accepted' || o === `garbage:${ErrorCode.TokenInvalid}`,
    );
    expect(
      outcomes.every(
        (o) =>
          o === 'accepted' ||
          o.endsWith(ErrorCode.RateLimited) ||
          o.endsWith(ErrorCode.TokenInvalid),
      ),
    ).toBe(true);
    expect(looked.length).toBeGreaterThanOrEqual(5);
    expect(looked.length).toBeLessThanOrEqual(8); // 5 + whatever refilled on a slow machine
    expect(limited.length).toBe(15 - looked.length);
    expect(outcomes).toContain(`garbage:${ErrorCode.RateLimited}`);
  });
});
