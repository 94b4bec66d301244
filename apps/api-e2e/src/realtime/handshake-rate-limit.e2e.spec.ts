import { inject } from 'vitest';
import { ErrorCode } from '@herald/ws-contracts';
import { connectAuthenticated, expectRefusal, type TestSocket } from '../support/clients';
import { mintToken } from '../support/tokens';
import { startRealtimeApi } from './realtime-harness';

describe('handshake rate limit per client address', () => {
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;

  beforeAll(async () => {
    api = await startRealtimeApi(inject('runId'), { HANDSHAKE_RATE_LIMIT_BURST: '5', HANDSHAKE_RATE_LIMIT_PER_SECOND: '1' });
  });
  afterAll(async () => {
    await api?.stopAll();
  });

  it('refuses handshakes past the burst with RATE_LIMITED, before checking the token', async () => {
    const token = await mintToken('rl-user');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => connectAuthenticated(api.url, { token })));
    const accepted = results.filter((r): r is PromiseFulfilledResult<TestSocket> => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    accepted.forEach((r) => r.value.close());
    expect(accepted.length).toBe(5);
    expect(refused.map((r) => (r.reason as { data?: { code?: string } }).data?.code)).toEqual(
      Array(3).fill(ErrorCode.RateLimited),
    );
    const garbage = await expectRefusal(api.url, { token: 'not-a-jwt' });
    expect(garbage.data?.code).toBe(ErrorCode.RateLimited);
  });
});
