import { TEST_API_KEY, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { useTwoProcessCluster } from '../cluster/cluster-support';
import { asUser, uniqueUser } from '../inbox/inbox-harness';

async function post(api: ApiProcess, path: string, body: unknown, key: string) {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': TEST_API_KEY,
      'idempotency-key': key,
    },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    replayed: res.headers.get('idempotent-replayed') === 'true',
    body: (await res.json()) as Record<string, unknown>,
  };
}

/**
 * Two API processes on one PostgreSQL: a key is claimed with a unique row in the shared
 * database, so concurrent requests with one key on both processes store once.
 */
describe('Idempotency-Key across a cluster of two processes', () => {
  const runId = inject('runId');
  const cluster = useTwoProcessCluster(runId, 'idempotency');

  it('stores concurrent sends with one key hitting both processes once', async () => {
    const userId = uniqueUser('cluster-idem');
    const body = { userId, title: 'once', message: 'across the cluster' };
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(i % 2 ? cluster.b : cluster.a, '/api/notifications', body, `k-${userId}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);

    const { call } = await asUser(cluster.a, userId);
    const page = await call<{ items: unknown[] }>('GET', '/api/notifications');
    expect(page.body.items).toHaveLength(1);

    const reused = await post(
      cluster.b,
      '/api/notifications',
      { ...body, title: 'x' },
      `k-${userId}`,
    );
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('credits concurrent XP grants with one key on both processes once', async () => {
    const userId = uniqueUser('cluster-xp');
    const grant = { userId, amount: 5, source: 'cluster' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(i % 2 ? cluster.b : cluster.a, '/api/gamification/xp', grant, `xp-${userId}`),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(new Set(answers.map((a) => a.body.totalXp))).toEqual(new Set([5]));
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
  });
});
