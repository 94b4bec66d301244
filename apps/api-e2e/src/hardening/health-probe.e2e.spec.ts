import { inject } from 'vitest';
import {
  createScratchDatabase,
  startApi,
  waitFor,
  type ApiProcess,
  type ScratchDatabase,
} from '../../../../tools/testing/index.mjs';
import { PostgresRelay } from '../support/postgres-relay';

/**
 * `/api/health` is exempt from the rate limit and polled by every load balancer: it must
 * not cost a database query per call, and it must not tell the world the database's
 * address or the driver's error.
 */
describe('/api/health as a public probe', () => {
  const runId = inject('runId');
  let database: ScratchDatabase;
  let relay: PostgresRelay;
  let api: ApiProcess;

  beforeAll(async () => {
    database = await createScratchDatabase(runId);
    relay = await PostgresRelay.start(database.url);
    api = await startApi({ env: { DATABASE_URL: relay.urlFor(database.url) } });
  });
  afterAll(async () => {
    await api?.stop();
    await relay?.cut();
    await database?.drop();
  });

  it('answers a burst of probes from a cached readiness result, not one query each', async () => {
    expect((await fetch(`${api.url}/api/health`)).status).toBe(200);
    const before = relay.queries;
    const started = Date.now();
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${api.url}/api/health${i % 2 ? '/ready' : ''}`);
      expect(res.status).toBe(200);
    }
    const seconds = Math.ceil((Date.now() - started) / 1_000);
    // At most one readiness query per second of the burst (plus one at its edge).
    expect(relay.queries - before).toBeLessThanOrEqual(seconds + 1);
  });

  it('says the database is down without the driver message, host or port', async () => {
    await relay.cut();
    type Health = { status: string; checks: Record<string, { status: string; detail?: string }> };
    let body: Health | undefined;
    await waitFor(
      async () => {
        const res = await fetch(`${api.url}/api/health`);
        body = (await res.json()) as Health;
        return res.status === 503;
      },
      10_000,
      'health reports the outage',
    );
    if (!body) throw new Error('health never answered');
    expect(body.checks['database']?.status).toBe('down');
    const text = JSON.stringify(body);
    expect(text).not.toContain('127.0.0.1');
    expect(text).not.toContain(String(relay.port));
    expect(text).not.toMatch(/ECONNREFUSED|ECONNRESET|Failed query|terminated|select/i);
  });
});
