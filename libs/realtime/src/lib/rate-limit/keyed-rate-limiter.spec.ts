import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisConnection } from '../cluster/redis-connection';
import { KeyedRateLimiter, type RateLimitDecision } from './keyed-rate-limiter';

/** The machine's Redis; every test uses its own key prefix and removes it after. */
const REDIS_URL = process.env['HERALD_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function allowedOf(limiter: KeyedRateLimiter, key: string, attempts: number) {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < attempts; i++) decisions.push(await limiter.consume(key));
  return decisions.filter((d) => d.allowed).length;
}

describe('KeyedRateLimiter in memory', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("allows a second's worth plus the burst at once, then refuses with the seconds to wait", async () => {
    const limiter = new KeyedRateLimiter('events', { burst: 50, perSecond: 10 });
    expect(await allowedOf(limiter, 'a', 100)).toBe(60);
    const refused = await limiter.consume('a');
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('gives `perSecond` again every second once the burst is spent', async () => {
    const limiter = new KeyedRateLimiter('events', { burst: 50, perSecond: 10 });
    await allowedOf(limiter, 'a', 100);
    vi.advanceTimersByTime(1_000);
    expect(await allowedOf(limiter, 'a', 20)).toBe(10);
    vi.advanceTimersByTime(1_000);
    expect(await allowedOf(limiter, 'a', 20)).toBe(10);
  });

  it('gives the whole burst back once its time has passed', async () => {
    const limiter = new KeyedRateLimiter('events', { burst: 50, perSecond: 10 });
    await allowedOf(limiter, 'a', 100);
    vi.advanceTimersByTime(5_000);
    expect(await allowedOf(limiter, 'a', 100)).toBe(60);
  });

  it('keeps one budget per key', async () => {
    const limiter = new KeyedRateLimiter('handshake', { burst: 2, perSecond: 1 });
    expect(await allowedOf(limiter, '10.0.0.1', 5)).toBe(3);
    expect(await allowedOf(limiter, '10.0.0.2', 5)).toBe(3);
  });

  it('lets at least 50 handshakes a second through with the default handshake limits', async () => {
    const limiter = new KeyedRateLimiter('handshake', { burst: 200, perSecond: 100 });
    let allowed = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      if ((await limiter.consume('10.0.0.1')).allowed) allowed++; // 100 attempts a second
      vi.advanceTimersByTime(10);
    }
    expect(allowed).toBe(1_000);
  });

  it('maps a limit below one per second onto a longer window (HTTP per minute)', async () => {
    // 30 a minute: one every two seconds, plus a burst of 5.
    const limiter = new KeyedRateLimiter('http', { burst: 5, perSecond: 0.5 });
    expect(await allowedOf(limiter, 'a', 10)).toBe(6);
    const refused = await limiter.consume('a');
    expect(refused.allowed).toBe(false);
    expect(refused.allowed === false && refused.retryAfterSeconds).toBe(2);
    vi.advanceTimersByTime(2_000);
    expect(await allowedOf(limiter, 'a', 5)).toBe(1);
  });

  it('answers at once, without a promise, while the counters live in this process', () => {
    const limiter = new KeyedRateLimiter('handshake', { burst: 1, perSecond: 1 });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refuses nonsense rules', () => {
    expect(() => new KeyedRateLimiter('x', { burst: 0, perSecond: 1 })).toThrow(/burst >= 1/);
    expect(() => new KeyedRateLimiter('x', { burst: 1, perSecond: 0 })).toThrow(/perSecond > 0/);
    expect(() => new KeyedRateLimiter('x', { burst: Number.NaN, perSecond: 1 })).toThrow();
  });
});

describe('KeyedRateLimiter on Redis (real Redis)', () => {
  let prefix: string;
  const connections: Redis[] = [];

  /** A connection as each API process has one: offline queue off. */
  function connection(url = REDIS_URL): Redis {
    const client = createRedisConnection(url, 'rate-limit-test', { offlineQueue: false });
    connections.push(client);
    return client;
  }

  async function ready(client: Redis): Promise<Redis> {
    if (client.status !== 'ready') await new Promise((r) => client.once('ready', r));
    return client;
  }

  beforeEach(() => {
    prefix = `herald-test:rl:${randomBytes(6).toString('hex')}`;
  });
  afterEach(async () => {
    const admin = new Redis(REDIS_URL);
    for await (const keys of admin.scanStream({ match: `${prefix}:*` }) as AsyncIterable<string[]>)
      if (keys.length) await admin.del(...keys);
    admin.disconnect();
    connections.splice(0).forEach((c) => c.disconnect());
  });

  it('shares one budget between two processes (two limiters, two connections)', async () => {
    const rule = { burst: 15, perSecond: 5 }; // 20 at once
    const a = new KeyedRateLimiter('handshake', rule, {
      client: await ready(connection()),
      keyPrefix: prefix,
    });
    const b = new KeyedRateLimiter('handshake', rule, {
      client: await ready(connection()),
      keyPrefix: prefix,
    });
    const allowedA = await allowedOf(a, '10.0.0.1', 15);
    const allowedB = await allowedOf(b, '10.0.0.1', 15);
    expect(allowedA).toBe(15);
    expect(allowedB).toBe(5);
    // Another key still has its own full budget.
    expect(await allowedOf(b, '10.0.0.2', 25)).toBe(20);
  });

  it('keeps limiting in memory while Redis is unreachable', async () => {
    // Nothing listens on port 1: every command fails, as during an outage.
    const unreachable = connection('redis://127.0.0.1:1');
    const limiter = new KeyedRateLimiter(
      'handshake',
      { burst: 5, perSecond: 1 },
      { client: unreachable, keyPrefix: prefix },
    );
    expect(await allowedOf(limiter, '10.0.0.1', 10)).toBe(6);
    expect(await limiter.consume('10.0.0.1')).toMatchObject({ allowed: false });
  });
});
