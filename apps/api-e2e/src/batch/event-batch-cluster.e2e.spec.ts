import { mintToken, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { useTwoProcessCluster } from '../cluster/cluster-support';
import { Device, uniqueUser } from '../inbox/inbox-harness';
import { service } from '../realtime/realtime-harness';

interface XpGained {
  totalXp: number;
}

/**
 * `POST /api/realtime/events` in a two-process cluster (Redis): every event reaches its
 * user's devices on either process, in request order, and `delivered` reads the
 * cluster-wide presence.
 */
describe('POST /api/realtime/events across a cluster of two processes', () => {
  const cluster = useTwoProcessCluster(inject('runId'), 'event-batch');
  const devices: Device[] = [];
  afterAll(() => {
    for (const d of devices) d.close();
  });

  async function device(api: ApiProcess, userId: string): Promise<Device> {
    const opened = await Device.connect(api.url, await mintToken(userId));
    devices.push(opened);
    return opened;
  }

  it('delivers to devices on both processes in request order and reports cluster-wide presence', async () => {
    const split = uniqueUser('evc-split');
    const remote = uniqueUser('evc-remote');
    const offline = uniqueUser('evc-offline');
    const splitOnA = await device(cluster.a, split);
    const splitOnB = await device(cluster.b, split);
    const remoteOnB = await device(cluster.b, remote);

    const users = [split, remote, offline];
    const events = Array.from({ length: 90 }, (_, i) => ({
      userId: users[i % 3] as string,
      event: 'xp:gained',
      payload: { amount: 1, source: 'cluster-batch', totalXp: i + 1 },
    }));
    const res = await service(cluster.a.url, 'POST', '/api/realtime/events', { events });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 90,
      delivered: events.map((e) => e.userId !== offline),
    });

    const expected = (userId: string) =>
      events.filter((e) => e.userId === userId).map((e) => e.payload.totalXp);
    for (const [d, userId] of [
      [splitOnA, split],
      [splitOnB, split],
      [remoteOnB, remote],
    ] as const) {
      const want = expected(userId);
      await d.waitFor<XpGained>('xp:gained', (p) => p.totalXp === want[want.length - 1]);
      expect(d.received<XpGained>('xp:gained').map((p) => p.totalXp)).toEqual(want);
    }
  });
});
