import { mintToken, waitFor } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { connectAuthenticated, nextEvent, recordEvents, type TestSocket } from '../support/clients';
import { closeAll, service, startRealtimeApi } from './realtime-harness';

/**
 * The typed-event service endpoints send out what the contract describes and nothing else:
 * server event payloads are parsed in the contract's strip mode (as every server event
 * schema is), so a key the contract does not know never reaches a client.
 */
describe('service event payloads carry contract fields only', () => {
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    api = await startRealtimeApi(inject('runId'));
  });
  afterAll(async () => {
    closeAll(sockets);
    await api?.stopAll();
  });

  async function listener(userId: string): Promise<TestSocket> {
    const socket = await connectAuthenticated(api.url, { token: await mintToken(userId) });
    sockets.push(socket);
    return socket;
  }

  it('drops an unknown payload key of POST /api/realtime/users/:userId/events', async () => {
    const socket = await listener('payload-strip-user');
    // The socket's own unread count (0) arrives on connect; the posted one follows.
    const arrived = recordEvents(socket, 'notification:unread_count');
    const res = await service(api.url, 'POST', '/api/realtime/users/payload-strip-user/events', {
      event: 'notification:unread_count',
      payload: { unreadCount: 3, injected: '<img src=x onerror=alert(1)>' },
    });
    expect(res.status).toBe(202);
    await waitFor(() => arrived.items.some((p) => p.unreadCount === 3), 5_000);
    expect(arrived.items.filter((p) => p.unreadCount === 3)).toEqual([{ unreadCount: 3 }]);
  });

  it('drops an unknown payload key of POST /api/realtime/broadcast, nested ones included', async () => {
    const socket = await listener('payload-strip-broadcast');
    const arrived = nextEvent(socket, 'leaderboard:updated');
    const res = await service(api.url, 'POST', '/api/realtime/broadcast', {
      event: 'leaderboard:updated',
      payload: {
        leaderboard: [{ userId: 'u1', xp: 10, rank: 'Bronze', position: 1, secret: 'x' }],
        internal: true,
      },
    });
    expect(res.status).toBe(202);
    expect(await arrived).toEqual({
      leaderboard: [{ userId: 'u1', xp: 10, rank: 'Bronze', position: 1 }],
    });
  });
});
