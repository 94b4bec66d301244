import { type ApiProcess } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import type { GrantXpResponse, Notification, NotificationPage } from '@herald/ws-contracts';
import {
  asUser,
  connectDevices,
  Device,
  ENGINES,
  pause,
  serviceSend,
  servicePost,
  START_HOOK_TIMEOUT_MS,
  startApiOn,
  uniqueUser,
} from './inbox-harness';

/**
 * The inbox over real HTTP and real Socket.IO clients, once on embedded PGlite and once on
 * the machine's PostgreSQL: the same migrations and queries must behave the same.
 */
describe.each(ENGINES)('notification inbox on $name', (engine) => {
  let api: ApiProcess;
  let stop: () => Promise<void>;
  const devices: Device[] = [];
  const connect = async (token: string, count = 1) => {
    const opened = await connectDevices(api.url, token, count);
    devices.push(...opened);
    return opened;
  };

  beforeAll(async () => {
    ({ api, stop } = await startApiOn(engine, inject('runId')));
  }, START_HOOK_TIMEOUT_MS);
  afterEach(() => {
    for (const device of devices.splice(0)) device.close();
  });
  afterAll(async () => {
    await stop?.();
  });

  const sendOne = async (userId: string, title = 'Hello') => {
    const res = await serviceSend<Notification>(api, { userId, title, message: `${title} body` });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('delivers a new notification to all three devices of the user, with the new unread count', async () => {
    const userId = uniqueUser();
    const { token } = await asUser(api, userId);
    const phones = await connect(token, 3);
    await Promise.all(phones.map((d) => d.waitForUnreadCount(0)));

    const res = await serviceSend<Notification>(api, {
      userId,
      title: 'Build finished',
      message: 'main is green',
      type: 'success',
      data: { build: 42 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      userId,
      title: 'Build finished',
      type: 'success',
      data: { build: 42 },
      readAt: null,
    });
    expect(new Date(res.body.createdAt).toISOString()).toBe(res.body.createdAt);

    for (const device of phones) {
      const pushed = await device.waitFor<{ notification: Notification; timestamp: string }>(
        'notification:new',
        (p) => p.notification.id === res.body.id,
      );
      expect(pushed.notification).toEqual(res.body);
      await device.waitForUnreadCount(1);
    }
  });

  it('syncs a read made on one device to the other devices (socket and HTTP)', async () => {
    const userId = uniqueUser();
    const { token, call } = await asUser(api, userId);
    const [a, b, c] = await connect(token, 3);
    const first = await sendOne(userId, 'first');
    const second = await sendOne(userId, 'second');
    await c.waitForUnreadCount(2);

    const ack = await a.socket
      .timeout(5_000)
      .emitWithAck('notification:mark_read', { notificationId: first.id });
    expect(ack).toEqual({ ok: true, notificationId: first.id, unreadCount: 1 });
    for (const device of [a, b, c]) {
      await device.waitFor(
        'notification:read',
        (p: { notificationId: string }) => p.notificationId === first.id,
      );
      await device.waitForUnreadCount(1);
    }

    const res = await call('PATCH', `/api/notifications/${second.id}/read`);
    expect(res).toEqual({ status: 200, body: { notificationId: second.id, unreadCount: 0 } });
    for (const device of [a, b, c]) {
      expect(
        await device.waitFor(
          'notification:read',
          (p: { notificationId: string }) => p.notificationId === second.id,
        ),
      ).toEqual({
        notificationId: second.id,
        success: true,
      });
      await device.waitForUnreadCount(0);
    }
    const page = await call<NotificationPage>('GET', '/api/notifications');
    expect(page.body.items.every((n) => n.readAt !== null)).toBe(true);
  });

  it('syncs mark-all-read and delete to every device', async () => {
    const userId = uniqueUser();
    const { token, call } = await asUser(api, userId);
    const [a, b] = await connect(token, 2);
    const sent = [
      await sendOne(userId, 'one'),
      await sendOne(userId, 'two'),
      await sendOne(userId, 'three'),
    ];
    await b.waitForUnreadCount(3);

    const ack = await a.socket.timeout(5_000).emitWithAck('notification:mark_all_read', {});
    expect(ack).toEqual({ ok: true, updated: 3, unreadCount: 0 });
    for (const device of [a, b]) {
      expect(
        await device.waitFor('notification:read', (p: { all?: boolean }) => p.all === true),
      ).toEqual({
        notificationId: null,
        success: true,
        all: true,
      });
      await device.waitForUnreadCount(0);
    }

    const deleted = await b.socket
      .timeout(5_000)
      .emitWithAck('notification:delete', { notificationId: sent[0].id });
    expect(deleted).toEqual({ ok: true, notificationId: sent[0].id, unreadCount: 0 });
    const overHttp = await call('DELETE', `/api/notifications/${sent[1].id}`);
    expect(overHttp).toEqual({ status: 200, body: { notificationId: sent[1].id, unreadCount: 0 } });
    for (const device of [a, b]) {
      await device.waitFor(
        'notification:deleted',
        (p: { notificationId: string }) => p.notificationId === sent[0].id,
      );
      await device.waitFor(
        'notification:deleted',
        (p: { notificationId: string }) => p.notificationId === sent[1].id,
      );
    }
    const page = await call<NotificationPage>('GET', '/api/notifications');
    expect(page.body.items.map((n) => n.id)).toEqual([sent[2].id]);

    const again = await call('POST', '/api/notifications/read-all');
    expect(again).toEqual({ status: 200, body: { updated: 0, unreadCount: 0 } });
  });

  it("refuses another user's notification ids (404, NOT_FOUND) and changes nothing", async () => {
    const owner = uniqueUser('owner');
    const intruder = uniqueUser('intruder');
    const theirs = await sendOne(owner, 'private');
    const ownerDevice = (await connect((await asUser(api, owner)).token))[0];
    await ownerDevice.waitForUnreadCount(1);
    const { token, call } = await asUser(api, intruder);
    const [socket] = await connect(token);

    expect((await call('PATCH', `/api/notifications/${theirs.id}/read`)).status).toBe(404);
    const del = await call<{ statusCode: number; message: string; error: string }>(
      'DELETE',
      `/api/notifications/${theirs.id}`,
    );
    expect(del).toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
    const unknown = await call(
      'PATCH',
      `/api/notifications/00000000-0000-4000-8000-000000000000/read`,
    );
    expect(unknown.status).toBe(404);
    for (const event of ['notification:mark_read', 'notification:delete'] as const) {
      const ack = await socket.socket
        .timeout(5_000)
        .emitWithAck(event, { notificationId: theirs.id });
      expect(ack).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }

    const { call: ownerCall } = await asUser(api, owner);
    const page = await ownerCall<NotificationPage>('GET', '/api/notifications');
    expect(page.body.items).toEqual([theirs]);
    expect((await ownerCall('GET', '/api/notifications/unread-count')).body).toEqual({
      unreadCount: 1,
    });
    expect((await call<NotificationPage>('GET', '/api/notifications')).body).toEqual({
      items: [],
      nextCursor: null,
    });
    await pause(200);
    expect(ownerDevice.received('notification:read')).toEqual([]);
    expect(ownerDevice.received('notification:deleted')).toEqual([]);
  });

  it('answers malformed ids, cursors and queries with 400', async () => {
    const { call } = await asUser(api, uniqueUser());
    expect((await call('PATCH', '/api/notifications/not-a-uuid/read')).status).toBe(400);
    expect((await call('DELETE', '/api/notifications/123')).status).toBe(400);
    expect((await call('GET', '/api/notifications?cursor=garbage')).status).toBe(400);
    expect((await call('GET', '/api/notifications?limit=0')).status).toBe(400);
    expect((await call('GET', '/api/notifications?limit=101')).status).toBe(400);
    expect((await call('GET', '/api/notifications?unread=maybe')).status).toBe(400);
  });

  it('requires a Bearer token on user endpoints and the API key on the service endpoint', async () => {
    expect((await fetch(`${api.url}/api/notifications`)).status).toBe(401);
    expect((await fetch(`${api.url}/api/notifications/unread-count`)).status).toBe(401);
    const userId = uniqueUser();
    expect(
      (await serviceSend(api, { userId, title: 't', message: 'm' }, 'wrong-key-0123456789')).status,
    ).toBe(401);
    const { token } = await asUser(api, userId);
    const asUserKey = await fetch(`${api.url}/api/notifications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId, title: 't', message: 'm' }),
    });
    expect(asUserKey.status).toBe(401);
    const { call } = await asUser(api, userId);
    expect((await call('GET', '/api/notifications/unread-count')).body).toEqual({ unreadCount: 0 });
  });

  it('gives an offline user the unread count on connect and the items over HTTP', async () => {
    const userId = uniqueUser('offline');
    const sent = [
      await sendOne(userId, 'a'),
      await sendOne(userId, 'b'),
      await sendOne(userId, 'c'),
    ];
    const { token, call } = await asUser(api, userId);
    const [device] = await connect(token);
    expect(await device.waitFor('notification:unread_count')).toEqual({ unreadCount: 3 });
    const page = await call<NotificationPage>('GET', '/api/notifications?unread=true');
    expect(page.status).toBe(200);
    expect(page.body.items.map((n) => n.id)).toEqual(sent.map((n) => n.id).reverse());
    expect(page.body.nextCursor).toBeNull();
  });

  it('paginates newest first with a cursor that stays stable while new notifications arrive', async () => {
    const userId = uniqueUser('pages');
    const { call } = await asUser(api, userId);
    const batch = await serviceSend<Notification[]>(api, {
      userIds: [userId],
      title: 'old 0',
      message: 'm',
    });
    const older = [batch.body[0]];
    for (let i = 1; i < 7; i++) older.push(await sendOne(userId, `old ${i}`));
    const expected = older.map((n) => n.id).reverse();

    const pageAfter = (after: string | null) =>
      call<NotificationPage>(
        'GET',
        `/api/notifications?limit=3${after ? `&cursor=${encodeURIComponent(after)}` : ''}`,
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await pageAfter(cursor);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((n) => n.id));
      cursor = page.body.nextCursor;
      pages++;
      // New notifications between pages sort before the cursor: no skips, no repeats.
      if (pages === 1) await sendOne(userId, 'newer while paging');
    } while (cursor);
    expect(seen).toEqual(expected);
    expect(pages).toBe(3);

    const unreadOnly = await call<NotificationPage>(
      'GET',
      `/api/notifications?unread=true&limit=100`,
    );
    expect(unreadOnly.body.items).toHaveLength(8);
  });

  it('sends to many users in one call, each device getting only its own', async () => {
    const users = Array.from({ length: 60 }, () => uniqueUser('many'));
    const watched = users.slice(0, 3);
    const watchers = await Promise.all(
      watched.map(async (u) => (await connect((await asUser(api, u)).token))[0]),
    );
    await Promise.all(watchers.map((d) => d.waitForUnreadCount(0)));

    const res = await serviceSend<Notification[]>(api, {
      userIds: [...users, users[0]],
      title: 'Maintenance',
      message: 'at 22:00',
    });
    expect(res.status).toBe(201);
    expect(res.body.map((n) => n.userId)).toEqual(users);
    expect(new Set(res.body.map((n) => n.id)).size).toBe(users.length);

    for (const [i, device] of watchers.entries()) {
      const pushed = await device.waitFor<{ notification: Notification }>('notification:new');
      expect(pushed.notification.userId).toBe(watched[i]);
      await device.waitForUnreadCount(1);
    }
    await pause(200);
    for (const device of watchers) expect(device.received('notification:new')).toHaveLength(1);
    const { call } = await asUser(api, users[59]);
    expect((await call('GET', '/api/notifications/unread-count')).body).toEqual({ unreadCount: 1 });
  });

  it('refuses more recipients than the limit and invalid bodies with 400, storing nothing', async () => {
    const users = Array.from({ length: 1_001 }, () => uniqueUser('limit'));
    const tooMany = await serviceSend<{ message: string[] }>(api, {
      userIds: users,
      title: 't',
      message: 'm',
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message.join(' ')).toMatch(/at most 1000/);

    const userId = users[0];
    for (const body of [
      { userId, title: '', message: 'm' },
      { userId, message: 'm' },
      { userId, userIds: [userId], title: 't', message: 'm' },
      { title: 't', message: 'm' },
      { userId, title: 't', message: 'm', extra: true },
      { userIds: [], title: 't', message: 'm' },
      { userId, title: 't', message: 'm', data: 'not an object' },
    ]) {
      expect((await serviceSend(api, body)).status).toBe(400);
    }
    const malformed = await fetch(`${api.url}/api/notifications`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': (await import('../../../../tools/testing/index.mjs')).TEST_API_KEY,
      },
      body: '{"userId":',
    });
    expect(malformed.status).toBe(400);
    for (const u of [users[0], users[500], users[1_000]]) {
      const { call } = await asUser(api, u);
      expect((await call('GET', '/api/notifications/unread-count')).body).toEqual({
        unreadCount: 0,
      });
    }
  });

  it('stores nothing and pushes nothing when the insert fails in the database', async () => {
    const good = uniqueUser('atomic');
    const other = uniqueUser('atomic');
    const [device] = await connect((await asUser(api, good)).token);
    await device.waitForUnreadCount(0);

    // Valid JSON, but PostgreSQL cannot store \u0000 in jsonb: the one INSERT of both rows fails.
    const res = await serviceSend<{ statusCode: number }>(api, {
      userIds: [good, other],
      title: 'broken',
      message: 'm',
      data: { text: 'nul \u0000 byte' },
    });
    expect(res.status).toBe(400);
    await pause(300);
    expect(device.received('notification:new')).toEqual([]);
    expect(device.received('notification:unread_count')).toEqual([{ unreadCount: 0 }]);
    for (const u of [good, other]) {
      const { call } = await asUser(api, u);
      expect((await call<NotificationPage>('GET', '/api/notifications')).body.items).toEqual([]);
    }
    // The process is fine afterwards.
    await sendOne(good, 'after');
    await device.waitForUnreadCount(1);
  });

  it('answers concurrent sends (stored in shared batches) each with its own records, and fails only the one the database refuses', async () => {
    const users = Array.from({ length: 24 }, () => uniqueUser('batch'));
    const watched = users.slice(0, 4);
    const watchers = await Promise.all(
      watched.map(async (u) => (await connect((await asUser(api, u)).token))[0]),
    );
    await Promise.all(watchers.map((d) => d.waitForUnreadCount(0)));
    const refused = uniqueUser('batch-refused');

    // Fired together, these reach the server in the same ticks and share INSERTs; the one
    // with \u0000 (valid JSON, refused by jsonb) must fail alone with 400.
    const [bad, ...answers] = await Promise.all([
      serviceSend(api, { userId: refused, title: 'nul', message: 'm', data: { t: '\u0000' } }),
      ...users.flatMap((userId, i) => [
        serviceSend<Notification>(api, { userId, title: `first ${i}`, message: 'm' }),
        serviceSend<Notification[]>(api, {
          userIds: [userId, refused + '-peer'],
          title: `second ${i}`,
          message: 'm',
        }),
      ]),
    ]);
    expect(bad?.status).toBe(400);
    users.forEach((userId, i) => {
      const single = answers[2 * i] as { status: number; body: Notification };
      const pair = answers[2 * i + 1] as { status: number; body: Notification[] };
      expect(single.status).toBe(201);
      expect(single.body).toMatchObject({ userId, title: `first ${i}` });
      expect(pair.status).toBe(201);
      expect(pair.body.map((n) => [n.userId, n.title])).toEqual([
        [userId, `second ${i}`],
        [refused + '-peer', `second ${i}`],
      ]);
    });

    for (const device of watchers) await device.waitForUnreadCount(2);
    const { call } = await asUser(api, users[23]);
    expect((await call('GET', '/api/notifications/unread-count')).body).toEqual({ unreadCount: 2 });
    const peer = await asUser(api, refused + '-peer');
    expect((await peer.call('GET', '/api/notifications/unread-count')).body).toEqual({
      unreadCount: users.length,
    });
    const victim = await asUser(api, refused);
    expect((await victim.call('GET', '/api/notifications/unread-count')).body).toEqual({
      unreadCount: 0,
    });
  });

  it('tells each of many sockets connecting at once its own unread count', async () => {
    const users = Array.from({ length: 12 }, () => uniqueUser('storm'));
    for (const [i, userId] of users.entries()) {
      for (let n = 0; n < i % 4; n++) await sendOne(userId, `n${n}`);
    }
    const tokens = await Promise.all(users.map(async (u) => (await asUser(api, u)).token));
    // Connected together, their counts are read with shared grouped queries.
    const opened = await Promise.all(tokens.map((token) => connect(token, 2)));
    await Promise.all(
      opened.flatMap((pair, i) => pair.map((device) => device.waitForUnreadCount(i % 4))),
    );
  });

  it('grants XP with xp:gained, rank:updated, achievement:unlocked (also in the inbox) and a leaderboard broadcast', async () => {
    const player = uniqueUser('player');
    const spectator = uniqueUser('spectator');
    const [mine] = await connect((await asUser(api, player)).token);
    const [theirs] = await connect((await asUser(api, spectator)).token);
    await mine.waitForUnreadCount(0);

    const first = await servicePost<GrantXpResponse>(api, '/api/gamification/xp', {
      userId: player,
      amount: 2_500,
      source: 'quest',
    });
    expect(first).toEqual({
      status: 200,
      body: {
        userId: player,
        totalXp: 2_500,
        rank: 'Aprendiz',
        rankChanged: true,
        achievements: ['first-xp', 'xp-1000'],
      },
    });
    expect(await mine.waitFor('xp:gained')).toEqual({
      amount: 2_500,
      source: 'quest',
      totalXp: 2_500,
    });
    expect(await mine.waitFor('rank:updated')).toEqual({
      newRank: 'Aprendiz',
      oldRank: 'Novato',
      xpRequired: 5_000,
    });
    await mine.waitFor(
      'achievement:unlocked',
      (p: { achievementId: string }) => p.achievementId === 'first-xp',
    );
    await mine.waitFor(
      'achievement:unlocked',
      (p: { achievementId: string }) => p.achievementId === 'xp-1000',
    );
    await mine.waitFor<{ notification: Notification }>(
      'notification:new',
      (p) => p.notification.type === 'achievement',
    );
    await mine.waitForUnreadCount(2);
    const board = await theirs.waitFor<{
      leaderboard: { userId: string; xp: number; position: number }[];
    }>('leaderboard:updated', (p) => p.leaderboard.some((e) => e.userId === player));
    expect(board.leaderboard.find((e) => e.userId === player)).toMatchObject({
      xp: 2_500,
      rank: 'Aprendiz',
    });

    const second = await servicePost<GrantXpResponse>(api, '/api/gamification/xp', {
      userId: player,
      amount: 10,
      source: 'quest',
    });
    expect(second.body).toEqual({
      userId: player,
      totalXp: 2_510,
      rank: 'Aprendiz',
      rankChanged: false,
      achievements: [],
    });
    await mine.waitFor('xp:gained', (p: { totalXp: number }) => p.totalXp === 2_510);
    expect(mine.received('rank:updated')).toHaveLength(1);

    const { call } = await asUser(api, spectator);
    const leaderboard = await call<{ leaderboard: { userId: string }[] }>(
      'GET',
      '/api/gamification/leaderboard',
    );
    expect(leaderboard.status).toBe(200);
    expect(leaderboard.body.leaderboard.some((e) => e.userId === player)).toBe(true);

    for (const body of [
      { userId: player, amount: -5, source: 'x' },
      { userId: player, amount: 0, source: 'x' },
      { userId: player, amount: '5', source: 'x' },
      { userId: player, amount: 5 },
    ]) {
      expect((await servicePost(api, '/api/gamification/xp', body)).status).toBe(400);
    }
  });

  it('adds concurrent XP grants without losing any', async () => {
    const player = uniqueUser('concurrent');
    const grants = await Promise.all(
      Array.from({ length: 20 }, () =>
        servicePost<GrantXpResponse>(api, '/api/gamification/xp', {
          userId: player,
          amount: 150,
          source: 'race',
        }),
      ),
    );
    expect(grants.every((g) => g.status === 200)).toBe(true);
    expect(Math.max(...grants.map((g) => g.body.totalXp))).toBe(3_000);
    expect(grants.filter((g) => g.body.rankChanged)).toHaveLength(1);
    expect(grants.flatMap((g) => g.body.achievements).sort()).toEqual(['first-xp', 'xp-1000']);
  });
});
