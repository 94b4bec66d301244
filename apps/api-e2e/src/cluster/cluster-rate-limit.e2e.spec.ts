import { inject } from 'vitest';
import { ErrorCode } from '@herald/ws-contracts';
import {
  deleteKeysWithPrefix,
  redisPrefixFor,
  TEST_REDIS_URL,
  type ApiProcess,
} from '../../../../tools/testing/index.mjs';
import { expectRefusal } from '../support/clients';
import { startCluster, stopAll } from './cluster-support';

/**
 * With REDIS_URL the per-IP limits are counted in Redis: a client that spreads its
 * handshakes or HTTP requests over the processes of a cluster meets one budget, not one
 * per process.
 */
describe('per-IP limits across a cluster of two processes', () => {
  const prefix = redisPrefixFor(inject('runId'), 'rate-limit');
  let a: ApiProcess;
  let b: ApiProcess;

  beforeAll(async () => {
    [a, b] = await startCluster(2, {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      // 1 handshake a second plus a burst of 5: 6 at once.
      HANDSHAKE_RATE_LIMIT_BURST: '5',
      HANDSHAKE_RATE_LIMIT_PER_SECOND: '1',
      // 1 request a second plus a burst of 10 (ten seconds' worth): 11 at once.
      HTTP_RATE_LIMIT_PER_MINUTE: '60',
    });
  });
  afterAll(async () => {
    await stopAll([a, b]);
    await deleteKeysWithPrefix(prefix);
  });

  it('counts handshakes to both processes against one budget', async () => {
    // Garbage tokens: a handshake the limit let through is refused as TOKEN_INVALID.
    const codesOn = async (api: ApiProcess, count: number) => {
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < count; i++) {
        codes.push((await expectRefusal(api.url, { token: 'not-a-jwt' })).data?.code);
      }
      return codes;
    };
    const onA = await codesOn(a, 5);
    const onB = await codesOn(b, 5);
    expect(onA).toEqual(Array(5).fill(ErrorCode.TokenInvalid));
    // Per process, B would look at all five; together only what refilled meanwhile gets in.
    const lookedAtOnB = onB.filter((c) => c === ErrorCode.TokenInvalid).length;
    expect(lookedAtOnB).toBeLessThanOrEqual(3);
    expect(onB.filter((c) => c === ErrorCode.RateLimited).length).toBe(5 - lookedAtOnB);
  });

  it('counts HTTP requests to both processes against one budget, with 429 and Retry-After', async () => {
    const hit = (api: ApiProcess) => fetch(`${api.url}/api/notifications/unread-count`);
    const onA: number[] = [];
    for (let i = 0; i < 10; i++) onA.push((await hit(a)).status);
    expect(onA).not.toContain(429);
    const onB: Response[] = [];
    for (let i = 0; i < 10; i++) onB.push(await hit(b));
    const limited = onB.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(8);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited[0].json()).toMatchObject({ statusCode: 429, code: ErrorCode.RateLimited });
  });
});
