import { mintToken, sleep, TEST_API_KEY } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { io } from 'socket.io-client';
import type { ServerToClientEvents } from '@herald/ws-contracts';
import { connectAuthenticated, nextEvent, recordEvents, type TestSocket } from '../support/clients';
import { closeAll, disconnected, service, startRealtimeApi } from './realtime-harness';

const xp = (amount: number) => ({
  event: 'xp:gained',
  payload: { amount, source: 'quiz', totalXp: 100 + amount },
});

describe('delivery to users, rooms and everyone', () => {
  let api: Awaited<ReturnType<typeof startRealtimeApi>>;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    api = await startRealtimeApi(inject('runId'));
  });
  afterEach(() => closeAll(open.splice(0)));
  afterAll(async () => {
    await api?.stopAll();
  });

  async function devicesOf(
    userId: string,
    count: number,
    transports?: ('websocket' | 'polling')[],
  ) {
    const token = await mintToken(userId);
    const sockets = await Promise.all(
      Array.from({ length: count }, () => connectAuthenticated(api.url, { token, transports })),
    );
    open.push(...sockets);
    return sockets;
  }

  it('delivers an event to each of three devices of a user exactly once, and to nobody else', async () => {
    const devices = await devicesOf('dl-ana', 3);
    const [bob] = await devicesOf('dl-bob', 1);
    const received = devices.map((s) => recordEvents(s, 'xp:gained'));
    const bobReceived = recordEvents(bob, 'xp:gained');

    const res = await service(api.url, 'POST', '/api/realtime/users/dl-ana/events', xp(7));
    expect(res).toEqual({ status: 202, body: { delivered: true } });

    await Promise.all(
      devices.map((s, i) => (received[i].items.length ? null : nextEvent(s, 'xp:gained'))),
    );
    await sleep(300); // would a duplicate arrive, it would have by now
    for (const r of received)
      expect(r.items).toEqual([{ amount: 7, source: 'quiz', totalXp: 107 }]);
    expect(bobReceived.items).toEqual([]);
  });

  it('delivers to a device on the polling transport like to one on websocket', async () => {
    const [ws] = await devicesOf('dl-mixed', 1, ['websocket']);
    const [polling] = await devicesOf('dl-mixed', 1, ['polling']);
    const both = Promise.all([nextEvent(ws, 'xp:gained'), nextEvent(polling, 'xp:gained')]);
    await service(api.url, 'POST', '/api/realtime/users/dl-mixed/events', xp(3));
    expect(await both).toEqual([
      expect.objectContaining({ amount: 3 }),
      expect.objectContaining({ amount: 3 }),
    ]);
  });

  it('answers delivered:false for a user without a connected device', async () => {
    expect(await service(api.url, 'POST', '/api/realtime/users/dl-nobody/events', xp(1))).toEqual({
      status: 202,
      body: { delivered: false },
    });
  });

  it('broadcasts to every connected socket', async () => {
    const sockets = [...(await devicesOf('dl-b1', 2)), ...(await devicesOf('dl-b2', 1))];
    const leaderboard = [{ userId: 'dl-b1', name: 'B1', xp: 10, rank: 'Novice', position: 1 }];
    const all = Promise.all(sockets.map((s) => nextEvent(s, 'leaderboard:updated')));
    const res = await service(api.url, 'POST', '/api/realtime/broadcast', {
      event: 'leaderboard:updated',
      payload: { leaderboard },
    });
    expect(res.status).toBe(202);
    expect(await all).toEqual(sockets.map(() => ({ leaderboard })));
  });

  it('counts presence per socket and clears it when the sockets leave', async () => {
    const presence = () => service(api.url, 'GET', '/api/realtime/users/dl-presence/presence');
    expect((await presence()).body).toEqual({ online: false, sockets: 0 });
    const devices = await devicesOf('dl-presence', 2);
    expect(await presence()).toEqual({ status: 200, body: { online: true, sockets: 2 } });
    devices[0].close();
    await expect
      .poll(async () => (await presence()).body, { timeout: 5_000 })
      .toEqual({ online: true, sockets: 1 });
    devices[1].close();
    await expect
      .poll(async () => (await presence()).body, { timeout: 5_000 })
      .toEqual({ online: false, sockets: 0 });
  });

  it('disconnects every socket of a revoked user and answers how many', async () => {
    const devices = await devicesOf('dl-revoked', 3);
    const [other] = await devicesOf('dl-kept', 1);
    const reasons = Promise.all(devices.map((s) => disconnected(s)));
    const res = await service(api.url, 'POST', '/api/realtime/users/dl-revoked/disconnect');
    expect(res).toEqual({
      status: 200,
      body: { disconnected: 3, disconnectedHere: 3, peersConfirmed: 0, peersUnreachable: 0 },
    });
    expect(await reasons).toEqual([
      'io server disconnect',
      'io server disconnect',
      'io server disconnect',
    ]);
    expect(other.connected).toBe(true);
    await expect
      .poll(
        async () => (await service(api.url, 'GET', '/api/realtime/users/dl-revoked/presence')).body,
        { timeout: 5_000 },
      )
      .toEqual({ online: false, sockets: 0 });
    expect(
      (await service(api.url, 'POST', '/api/realtime/users/dl-revoked/disconnect')).body,
    ).toEqual({ disconnected: 0, disconnectedHere: 0, peersConfirmed: 0, peersUnreachable: 0 });
  });

  describe('service endpoints refuse bad requests', () => {
    it.each([
      ['no key', {}],
      ['a wrong key', { 'x-api-key': 'not-the-key-0123456789' }],
      ['a user token instead of the key', { authorization: 'Bearer x.y.z' }],
    ])('answers 401 to %s', async (_name, headers) => {
      for (const [method, path, body] of [
        ['POST', '/api/realtime/users/u/events', xp(1)],
        ['POST', '/api/realtime/broadcast', xp(1)],
        ['GET', '/api/realtime/users/u/presence', undefined],
        ['POST', '/api/realtime/users/u/disconnect', undefined],
      ] as const) {
        const res = await service(api.url, method, path, body, headers as Record<string, string>);
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body).toMatchObject({
          statusCode: 401,
          error: 'Unauthorized',
          code: 'API_KEY_INVALID',
        });
      }
    });

    it.each([
      ['an unknown event', { event: 'made:up', payload: {} }, /event/],
      [
        'a payload that does not match',
        { event: 'xp:gained', payload: { amount: -5, source: 'q', totalXp: 1 } },
        /payload\.amount/,
      ],
      ['a missing payload', { event: 'notification:unread_count' }, /payload/],
      ['an extra field', { ...xp(1), to: 'everyone' }, /to|unrecognized/i],
      ['an array body', [xp(1)], /.+/],
    ])('answers 400 to %s, and nothing is sent', async (_name, body, message) => {
      const [socket] = await devicesOf('dl-invalid', 1);
      const received: string[] = [];
      // The inbox greets every socket with its unread count; only what these requests cause counts.
      socket.onAny(
        (event: string) => event !== 'notification:unread_count' && received.push(event),
      );
      for (const path of ['/api/realtime/users/dl-invalid/events', '/api/realtime/broadcast']) {
        const res = await service(api.url, 'POST', path, body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          statusCode: 400,
          error: 'Bad Request',
          code: 'INVALID_PAYLOAD',
        });
        expect(JSON.stringify(res.body.message)).toMatch(message);
      }
      await sleep(200);
      expect(received).toEqual([]);
    });

    it('answers 400 to a user id with control characters', async () => {
      const res = await service(api.url, 'GET', '/api/realtime/users/a%00b/presence');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'INVALID_PAYLOAD' });
    });

    it('answers JSON 400 to a malformed JSON body', async () => {
      const res = await fetch(`${api.url}/api/realtime/broadcast`, {
        method: 'POST',
        headers: { 'x-api-key': TEST_API_KEY, 'content-type': 'application/json' },
        body: '{"event":',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: 400, code: 'INVALID_PAYLOAD' });
    });
  });

  describe('group rooms decided by the server (extensibility demo)', () => {
    type GroupMessage = { groupId: string; text: string; sentAt: string };
    const groupMessages = (socket: TestSocket) => {
      const items: GroupMessage[] = [];
      (socket as unknown as { on(e: string, f: (p: GroupMessage) => void): void }).on(
        'group:message',
        (p) => items.push(p),
      );
      return items;
    };

    it('reaches current members, members who connect later, and nobody who left', async () => {
      const [early] = await devicesOf('grp-early', 1);
      const [outsider] = await devicesOf('grp-outsider', 1);
      expect((await service(api.url, 'PUT', '/api/groups/team-1/members/grp-early')).status).toBe(
        200,
      );
      await service(api.url, 'PUT', '/api/groups/team-1/members/grp-late');
      const [late] = await devicesOf('grp-late', 1); // joins the room through the room resolver
      const [earlyGot, lateGot, outsiderGot] = [
        groupMessages(early),
        groupMessages(late),
        groupMessages(outsider),
      ];

      const res = await service(api.url, 'POST', '/api/groups/team-1/messages', {
        text: 'stand-up in 5',
      });
      expect(res).toEqual({ status: 202, body: { groupId: 'team-1', members: 2 } });
      await expect.poll(() => earlyGot.length + lateGot.length, { timeout: 5_000 }).toBe(2);
      expect(earlyGot[0]).toMatchObject({ groupId: 'team-1', text: 'stand-up in 5' });

      await service(api.url, 'DELETE', '/api/groups/team-1/members/grp-early');
      await service(api.url, 'POST', '/api/groups/team-1/messages', { text: 'second' });
      await expect.poll(() => lateGot.length, { timeout: 5_000 }).toBe(2);
      await sleep(200);
      expect(earlyGot).toHaveLength(1);
      expect(outsiderGot).toEqual([]);
    });

    it('offers clients no way to join a room themselves', async () => {
      const [socket] = await devicesOf('grp-intruder', 1);
      const got = groupMessages(socket);
      for (const event of ['join', 'subscribe', 'room:join']) {
        const ack = await (
          socket as unknown as {
            timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<unknown> };
          }
        )
          .timeout(5_000)
          .emitWithAck(event, { room: 'group:team-2' });
        expect(ack).toMatchObject({ ok: false, error: { code: 'UNKNOWN_EVENT' } });
      }
      await service(api.url, 'PUT', '/api/groups/team-2/members/grp-member');
      await service(api.url, 'POST', '/api/groups/team-2/messages', { text: 'private' });
      await sleep(300);
      expect(got).toEqual([]);
    });

    it('refuses a bad group id or message with 400', async () => {
      expect((await service(api.url, 'PUT', '/api/groups/bad%20id/members/u1')).status).toBe(400);
      expect(
        (await service(api.url, 'POST', '/api/groups/team-1/messages', { text: '   ' })).status,
      ).toBe(400);
      expect(
        (await service(api.url, 'POST', '/api/groups/team-1/messages', { text: 'x' }, {})).status,
      ).toBe(401);
    });
  });

  it('serves a socket that never authenticated nothing at all', async () => {
    const socket = io(api.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const events: string[] = [];
    socket.onAny((e: string) => events.push(e));
    await new Promise((resolve) => socket.once('connect_error', resolve));
    await service(api.url, 'POST', '/api/realtime/broadcast', xp(1));
    await sleep(200);
    socket.close();
    expect(events).toEqual([]);
  });

  it('exports connections, handshakes by outcome and client events by outcome at /api/metrics', async () => {
    const [socket] = await devicesOf('mx-user', 1);
    await new Promise((resolve) => {
      const refused = io(api.url, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      refused.once('connect_error', () => resolve(refused.close()));
    });
    await (
      socket as unknown as {
        timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<unknown> };
      }
    )
      .timeout(5_000)
      .emitWithAck('no:such', {});
    const text = await (await fetch(`${api.url}/api/metrics`)).text();
    expect(text).toMatch(/herald_ws_connections(\{[^}]*\})? [1-9]/);
    expect(text).toMatch(/herald_ws_handshakes_total\{[^}]*outcome="accepted"[^}]*\} [1-9]/);
    expect(text).toMatch(/herald_ws_handshakes_total\{[^}]*outcome="TOKEN_MISSING"[^}]*\} [1-9]/);
    expect(text).toMatch(
      /herald_ws_client_events_total\{[^}]*outcome="UNKNOWN_EVENT"[^}]*\} [1-9]/,
    );
  });

  it('reports the websocket adapter in /api/health', async () => {
    await devicesOf('dl-health', 1);
    const health = await (await fetch(`${api.url}/api/health`)).json();
    expect(health.checks.websocket).toMatchObject({
      status: 'up',
      detail: expect.stringMatching(/adapter=\S+ connections=\d+/),
    });
  });
});

// Compile-time only: the typed map the tests use knows the contract's events.
export type _Contract = ServerToClientEvents['xp:gained'];
