import {
  type ApiProcess,
  mintToken,
  TEST_API_KEY,
  waitFor,
} from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { ErrorCode, type DisconnectResponse, type HttpErrorBody } from '@herald/ws-contracts';
import { connectAuthenticated, expectRefusal, type TestSocket } from '../support/clients';
import { recordArrivals, servicePost, useTwoProcessCluster } from './cluster-support';

/**
 * The service API in a two-process cluster: the presence list, the groups demo's
 * membership and revocation answer the same whichever process is asked.
 */
describe('service API across a cluster of two processes', () => {
  const runId = inject('runId');
  const cluster = useTwoProcessCluster(runId, 'service-api');
  let userCounter = 0;
  const newUser = (label: string) => `svc-${label}-${process.pid}-${++userCounter}`;

  async function device(api: ApiProcess, userId: string, token?: string): Promise<TestSocket> {
    const socket = await connectAuthenticated(api.url, {
      token: token ?? (await mintToken(userId)),
    });
    cluster.sockets.push(socket);
    return socket;
  }

  async function call(api: ApiProcess, method: string, path: string, body?: unknown) {
    const res = await fetch(`${api.url}/api${path}`, {
      method,
      headers: {
        'x-api-key': TEST_API_KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  describe('presence list', () => {
    it('lists every connected user of both processes with their socket count, keyset-paged in userId order', async () => {
      const prefix = newUser('list');
      const users = ['a', 'b', 'c', 'd', 'e'].map((s) => `${prefix}-${s}`);
      await device(cluster.a, users[0]);
      await device(cluster.b, users[0]);
      await device(cluster.b, users[1]);
      await device(cluster.a, users[2]);
      await device(cluster.b, users[3]);
      await device(cluster.a, users[4]);

      for (const api of [cluster.a, cluster.b]) {
        const seen: { userId: string; sockets: number }[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const query = `limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
          const page = await call(api, 'GET', `/realtime/presence?${query}`);
          expect(page.status).toBe(200);
          expect(page.body.users.length).toBeLessThanOrEqual(2);
          seen.push(...page.body.users);
          cursor = page.body.nextCursor;
          pages++;
        } while (cursor && pages < 100);
        const ours = seen.filter((u) => u.userId.startsWith(prefix));
        expect(ours).toEqual([
          { userId: users[0], sockets: 2 },
          { userId: users[1], sockets: 1 },
          { userId: users[2], sockets: 1 },
          { userId: users[3], sockets: 1 },
          { userId: users[4], sockets: 1 },
        ]);
        const ids = seen.map((u) => u.userId);
        expect(ids).toEqual([...ids].sort());
      }
    });

    it('forgets a user whose last socket closed', async () => {
      const userId = newUser('gone');
      const socket = await device(cluster.b, userId);
      const listed = async () =>
        (await call(cluster.a, 'GET', '/realtime/presence?limit=1000')).body.users.some(
          (u: { userId: string }) => u.userId === userId,
        );
      expect(await listed()).toBe(true);
      socket.close();
      await waitFor(async () => !(await listed()), 5_000);
    });

    it.each(['limit=0', 'limit=1001', 'limit=ten', 'cursor=%25%25not-a-cursor', 'cursor='])(
      'refuses %s with 400 INVALID_PAYLOAD',
      async (query) => {
        const res = await call(cluster.a, 'GET', `/realtime/presence?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe(ErrorCode.InvalidPayload);
      },
    );

    it('is in the OpenAPI document with its query parameters and answer', async () => {
      const doc = await (await fetch(`${cluster.a.url}/api/docs-json`)).json();
      const operation = doc.paths['/api/realtime/presence']?.get;
      expect(operation).toBeDefined();
      expect(operation.parameters.map((p: { name: string }) => p.name).sort()).toEqual([
        'cursor',
        'limit',
      ]);
      const schema = JSON.stringify(operation.responses['200']);
      expect(schema).toContain('nextCursor');
      expect(schema).toContain('sockets');
      expect(operation.responses['400']).toBeDefined();
    });
  });

  describe('groups demo', () => {
    const message = (api: ApiProcess, groupId: string, text: string) =>
      servicePost(api, `/groups/${groupId}/messages`, { text });

    it('a member added through one process is in the group on a device that connects to the other later', async () => {
      const groupId = newUser('grp');
      const early = newUser('early');
      const userId = newUser('member');
      expect((await call(cluster.a, 'PUT', `/groups/${groupId}/members/${early}`)).status).toBe(
        200,
      );
      const added = await call(cluster.b, 'PUT', `/groups/${groupId}/members/${userId}`);
      expect(added.body.members.sort()).toEqual([early, userId].sort());

      const socket = await device(cluster.a, userId);
      const arrivals = recordArrivals(socket, 'group:message');
      expect((await message(cluster.a, groupId, 'hello')).status).toBe(202);
      await waitFor(() => arrivals.length === 1, 5_000);
      expect(arrivals[0].payload).toMatchObject({ groupId, text: 'hello' });
    });

    it('a member removed through one process gets no group messages on the other, on a device connected before or after', async () => {
      const groupId = newUser('grp');
      const userId = newUser('leaver');
      const stayer = newUser('stayer');
      await call(cluster.a, 'PUT', `/groups/${groupId}/members/${userId}`);
      await call(cluster.a, 'PUT', `/groups/${groupId}/members/${stayer}`);
      const before = await device(cluster.a, userId);
      const removed = await call(cluster.b, 'DELETE', `/groups/${groupId}/members/${userId}`);
      expect(removed.body.members).toEqual([stayer]);
      const after = await device(cluster.a, userId);
      const control = await device(cluster.a, stayer);

      const leaverGot = [...recordArrivals(before, 'group:message')];
      const leaverLater = recordArrivals(after, 'group:message');
      const stayerGot = recordArrivals(control, 'group:message');
      await message(cluster.b, groupId, 'members only');
      // One emit to one room: once the member on the same process has it, so would the others.
      await waitFor(() => stayerGot.length === 1, 5_000);
      expect(leaverGot).toEqual([]);
      expect(leaverLater).toEqual([]);
    });
  });

  describe('disconnect and revocation', () => {
    it('refuses tokens issued before a revocation on every process, HTTP included, and accepts later ones', async () => {
      const userId = newUser('revoked');
      const oldToken = await mintToken(userId);
      const onB = await device(cluster.b, userId, oldToken);
      const gone = new Promise((resolve) => onB.once('disconnect', resolve));

      const revoked = await servicePost<DisconnectResponse & { tokensRevokedBefore: string }>(
        cluster.a,
        `/realtime/users/${userId}/disconnect`,
        { revokeTokensIssuedBefore: true },
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ disconnected: 1, peersUnreachable: 0 });
      expect(Date.parse(revoked.body.tokensRevokedBefore)).not.toBeNaN();
      await gone;

      for (const api of [cluster.a, cluster.b]) {
        const refusal = await expectRefusal(api.url, { token: oldToken });
        expect(refusal.data?.code).toBe(ErrorCode.TokenInvalid);
        const http = await fetch(`${api.url}/api/notifications/unread-count`, {
          headers: { authorization: `Bearer ${oldToken}` },
        });
        expect(http.status).toBe(401);
        expect((await http.json()).code).toBe(ErrorCode.TokenInvalid);
      }

      // A token issued after the revocation (the next second: `iat` counts seconds) is fine.
      const revokedAt = Date.parse(revoked.body.tokensRevokedBefore);
      await waitFor(() => Math.floor(Date.now() / 1000) > Math.floor(revokedAt / 1000), 2_000);
      await device(cluster.b, userId, await mintToken(userId));
    });

    it('refuses an unknown body field with 400 and disconnects nobody', async () => {
      const userId = newUser('kept');
      const socket = await device(cluster.a, userId);
      const res = await servicePost<HttpErrorBody>(
        cluster.a,
        `/realtime/users/${userId}/disconnect`,
        { revokeEverything: true },
      );
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(ErrorCode.InvalidPayload);
      expect(socket.connected).toBe(true);
    });

    // Last: it freezes process B for a moment.
    it('with a peer frozen, disconnects this process’s sockets at once, reports the peer unconfirmed, and the peer follows when it wakes', async () => {
      const userId = newUser('frozen-peer');
      const onA = await device(cluster.a, userId);
      const onB = await device(cluster.b, userId);
      const aGone = new Promise((resolve) => onA.once('disconnect', resolve));
      const bGone = new Promise((resolve) => onB.once('disconnect', resolve));
      const pid = cluster.b.pid as number;
      process.kill(pid, 'SIGSTOP');
      try {
        const started = Date.now();
        const res = await servicePost(cluster.a, `/realtime/users/${userId}/disconnect`, {});
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ disconnected: 1, peersConfirmed: 0, peersUnreachable: 1 });
        expect(Date.now() - started).toBeLessThan(4_500);
        await aGone;
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      await bGone;
    });
  });
});
