import {
  type ApiProcess,
  createScratchDatabase,
  mintToken,
  type ScratchDatabase,
  startApi,
  TEST_API_KEY,
} from '../../../../tools/testing/index.mjs';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { inject } from 'vitest';
import {
  ErrorCode,
  type DemoLoginResponse,
  type HttpErrorBody,
  type LeaderboardEntry,
  type Notification,
} from '@herald/ws-contracts';
import { Bystander, call, inboxOf, service, uniqueUser } from './hardening-harness';

/**
 * Every service and user endpoint fed wrong types, missing fields, unicode edge cases, SQL
 * metacharacters and oversized bodies, on a real PostgreSQL. A refused request answers
 * 400/401/404/413 with the JSON error shape and leaves the notifications table exactly as
 * it was (counted in the database itself); accepted odd-but-valid input is stored verbatim.
 */
describe('hostile HTTP input (PostgreSQL)', () => {
  let database: ScratchDatabase;
  let db: pg.Client;
  let api: ApiProcess;
  let bystander: Bystander;

  const rowCount = async () =>
    Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM notifications')).rows[0]?.n);

  beforeAll(async () => {
    database = await createScratchDatabase(inject('runId'));
    api = await startApi({ env: { DATABASE_URL: database.url } });
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    bystander = await Bystander.connect(api);
  });
  afterEach(async () => {
    await bystander.assertUnaffected(api);
  });
  afterAll(async () => {
    bystander?.close();
    await db?.end();
    await api?.stop();
    await database?.drop();
  });

  /** The code of each refusal status that has only one (401 callers name theirs). */
  const CODE_OF_STATUS: Record<number, ErrorCode> = {
    400: ErrorCode.InvalidPayload,
    404: ErrorCode.NotFound,
    413: ErrorCode.PayloadTooLarge,
    415: ErrorCode.UnsupportedMediaType,
  };

  /**
   * Runs `request`, expects `status` with the JSON error shape and `code`, and no new or
   * changed row.
   */
  async function expectRefusedUnchanged(
    request: () => Promise<{ status: number; body: HttpErrorBody }>,
    status: number,
    code = CODE_OF_STATUS[status],
  ) {
    const before = await db.query('SELECT id, read_at FROM notifications ORDER BY id');
    const res = await request();
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body).toMatchObject({
      statusCode: status,
      error: expect.any(String),
      message: expect.anything(),
      code,
    });
    expect(code).toBeDefined();
    const after = await db.query('SELECT id, read_at FROM notifications ORDER BY id');
    expect(after.rows).toEqual(before.rows);
    return res;
  }

  const victim = 'victim-user';
  const valid = { userId: victim, title: 'title', message: 'message' };

  describe('POST /api/notifications (service)', () => {
    it.each<[string, unknown]>([
      ['an empty object', {}],
      ['a JSON array', [valid]],
      ['JSON null', null],
      ['a JSON string', 'notification'],
      ['no title', { userId: victim, message: 'm' }],
      ['no message', { userId: victim, title: 't' }],
      ['neither userId nor userIds', { title: 't', message: 'm' }],
      ['both userId and userIds', { ...valid, userIds: [victim] }],
      ['a numeric userId', { ...valid, userId: 42 }],
      ['an object userId (NoSQL-style operator)', { ...valid, userId: { $ne: null } }],
      ['an empty userIds', { ...valid, userId: undefined, userIds: [] }],
      ['userIds with a number', { ...valid, userId: undefined, userIds: [victim, 7] }],
      [
        '1,001 recipients (over MAX_RECIPIENTS)',
        {
          ...valid,
          userId: undefined,
          userIds: Array.from({ length: 1_001 }, (_, i) => `${victim}-${i}`),
        },
      ],
      ['a whitespace-only title', { ...valid, title: ' \t\n ' }],
      ['a 201-character title', { ...valid, title: 't'.repeat(201) }],
      ['a 5,001-character message', { ...valid, message: 'm'.repeat(5_001) }],
      ['a NUL byte in the title', { ...valid, title: 'a\u0000b' }],
      [
        'an escape sequence in the message',
        { ...valid, message: 'ring \u0007 the bell \u001b[31m' },
      ],
      ['a 256-character userId', { ...valid, userId: 'u'.repeat(256) }],
      ['a NUL byte in the userId', { ...valid, userId: 'victim\u0000' }],
      ['a numeric type', { ...valid, type: 3 }],
      ['data as an array', { ...valid, data: [1, 2] }],
      ['data as a string', { ...valid, data: 'x' }],
      [
        'a NUL byte inside data (PostgreSQL jsonb refuses it)',
        { ...valid, data: { note: 'a\u0000b' } },
      ],
      [
        'an unknown field (mass assignment)',
        { ...valid, id: randomUUID(), readAt: null, isAdmin: true },
      ],
      ['a forged createdAt', { ...valid, createdAt: '1970-01-01T00:00:00.000Z' }],
    ])('refuses %s with 400 and stores nothing', async (_name, body) => {
      await expectRefusedUnchanged(() => service(api, 'POST', '/api/notifications', body), 400);
      expect(await inboxOf(api, victim)).toEqual([]);
    });

    it('refuses data nested 5,000 levels deep with 400 instead of overflowing the stack, storing nothing', async () => {
      const depth = 5_000;
      const rawBody = `{"userId":"${victim}","title":"t","message":"m","data":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
      const res = await expectRefusedUnchanged(
        () => call(api, 'POST', '/api/notifications', { apiKey: TEST_API_KEY, rawBody }),
        400,
      );
      expect(JSON.stringify(res.body.message)).toMatch(/nest deeper/);
    });

    it.each([
      ['without a key', null],
      ['with a wrong key', 'not-the-key-but-long-enough'],
      ['with the key in another case', TEST_API_KEY.toUpperCase()],
      ['with the key plus a suffix', `${TEST_API_KEY}x`],
    ])('answers 401 %s and stores nothing', async (_name, apiKey) => {
      await expectRefusedUnchanged(
        () => call(api, 'POST', '/api/notifications', { apiKey, body: valid }),
        401,
        ErrorCode.ApiKeyInvalid,
      );
    });

    it('refuses a user token on the service endpoint with 401', async () => {
      const token = await mintToken(victim, { role: 'admin' });
      await expectRefusedUnchanged(
        () => call(api, 'POST', '/api/notifications', { token, body: valid }),
        401,
        ErrorCode.ApiKeyInvalid,
      );
    });

    it('answers malformed JSON with 400 and a non-JSON content type with 400, storing nothing', async () => {
      await expectRefusedUnchanged(
        () =>
          call(api, 'POST', '/api/notifications', {
            apiKey: TEST_API_KEY,
            rawBody: '{"userId": "victim-user", "title": ',
          }),
        400,
      );
      await expectRefusedUnchanged(
        () =>
          call(api, 'POST', '/api/notifications', {
            apiKey: TEST_API_KEY,
            rawBody: JSON.stringify(valid),
            headers: { 'content-type': 'text/plain' },
          }),
        400,
      );
    });

    it('answers a 1.5 MB body with 413 (default HTTP_BODY_LIMIT 1 MB), storing nothing', async () => {
      await expectRefusedUnchanged(
        () =>
          service(api, 'POST', '/api/notifications', {
            ...valid,
            data: { blob: 'x'.repeat(1_500_000) },
          }),
        413,
      );
    });

    it('answers a gzip bomb (10 MB inflating from a few kB) with 413, storing nothing', async () => {
      const bomb = gzipSync(
        Buffer.from(JSON.stringify({ ...valid, data: { blob: '0'.repeat(10_000_000) } })),
      );
      expect(bomb.length).toBeLessThan(100_000);
      await expectRefusedUnchanged(
        () =>
          call(api, 'POST', '/api/notifications', {
            apiKey: TEST_API_KEY,
            rawBody: bomb,
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          }),
        413,
      );
    });

    it('answers an unsupported content encoding with 415, storing nothing', async () => {
      await expectRefusedUnchanged(
        () =>
          call(api, 'POST', '/api/notifications', {
            apiKey: TEST_API_KEY,
            rawBody: 'x',
            headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
          }),
        415,
      );
    });

    it.each(['gzip', 'deflate', 'br'])(
      'answers a corrupt %s body with 400, storing nothing',
      async (encoding) => {
        const corrupt =
          encoding === 'gzip'
            ? Buffer.concat([
                gzipSync(Buffer.from(JSON.stringify(valid))).subarray(0, 20),
                Buffer.from('garbage'),
              ])
            : Buffer.from('not compressed at all');
        const res = await expectRefusedUnchanged(
          () =>
            call(api, 'POST', '/api/notifications', {
              apiKey: TEST_API_KEY,
              rawBody: corrupt,
              headers: { 'content-type': 'application/json', 'content-encoding': encoding },
            }),
          400,
        );
        expect(res.body.message).toMatch(/decompress/);
      },
    );

    it('stores SQL metacharacters and unicode edge cases verbatim (parameterised queries)', async () => {
      const userId = `o'brien"; DROP TABLE notifications; -- ${uniqueUser('sql')}`;
      const body = {
        userId,
        title: "Robert'); DROP TABLE notifications;-- 💥",
        message:
          'RTL \u202Egnp.exe\u202C, ZWJ 👩‍👩‍👧, combining e\u0301, astral 𝕳𝖊𝖗𝖆𝖑𝖉, CJK 通知, \\x00 %s %n ${7*7} {{7*7}}',
        type: "' OR '1'='1",
        data: { "key'--": 'value"; SELECT pg_sleep(10); --', nested: { emoji: '🚀', quote: "'" } },
      };
      const started = Date.now();
      const res = await service<Notification>(api, 'POST', '/api/notifications', body);
      expect(res.status).toBe(201);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(res.body).toMatchObject({
        userId,
        title: body.title,
        message: body.message,
        type: body.type,
        data: body.data,
      });
      const inbox = await inboxOf(api, userId);
      expect(inbox).toEqual([res.body]);
      // The table survived and nobody else's inbox gained anything.
      expect(await rowCount()).toBeGreaterThan(0);
      expect(await inboxOf(api, victim)).toEqual([]);
    });

    it('either refuses a lone UTF-16 surrogate or stores exactly what it answers', async () => {
      const userId = uniqueUser('surrogate');
      const res = await service<Notification>(api, 'POST', '/api/notifications', {
        userId,
        title: 'lone \ud800 surrogate',
        message: 'm',
      });
      if (res.status === 201) {
        expect(await inboxOf(api, userId)).toEqual([res.body]);
      } else {
        expect(res.status).toBe(400);
        expect(await inboxOf(api, userId)).toEqual([]);
      }
    });
  });

  describe('user endpoints (Bearer JWT)', () => {
    let owner: string;
    let token: string;
    let own: Notification;

    beforeAll(async () => {
      owner = uniqueUser('owner');
      token = await mintToken(owner);
      own = (
        await service<Notification>(api, 'POST', '/api/notifications', {
          userId: owner,
          title: 'mine',
          message: 'unread',
        })
      ).body;
    });

    it.each([
      ['limit=abc', '?limit=abc'],
      ['limit=0', '?limit=0'],
      ['limit=101', '?limit=101'],
      ['limit=-1', '?limit=-1'],
      ['limit=1.5', '?limit=1.5'],
      ['unread=maybe', '?unread=maybe'],
      ['a garbage cursor', '?cursor=garbage'],
      ['a SQL cursor', `?cursor=${encodeURIComponent("' OR 1=1 --")}`],
      [
        'a base64 cursor holding SQL',
        `?cursor=${Buffer.from(JSON.stringify({ createdAt: "2020-01-01' OR '1'='1", id: "x' OR 1=1 --" })).toString('base64url')}`,
      ],
      ['a 201-character cursor', `?cursor=${'a'.repeat(201)}`],
    ])('GET /api/notifications refuses %s with 400', async (_name, query) => {
      await expectRefusedUnchanged(
        () => call(api, 'GET', `/api/notifications${query}`, { token }),
        400,
      );
    });

    it('ignores duplicated query parameters it cannot parse as one value', async () => {
      const res = await call(api, 'GET', '/api/notifications?limit=1&limit=2', { token });
      expect([200, 400]).toContain(res.status);
    });

    it.each([
      ['not a UUID', 'not-a-uuid'],
      ['SQL in the id', encodeURIComponent("1' OR '1'='1")],
      ['a UUID with SQL appended', encodeURIComponent(`${randomUUID()}' OR '1'='1`)],
      ['an encoded NUL', '%00'],
      ['path traversal', '..%2F..%2Fhealth'],
    ])('PATCH read and DELETE refuse %s with 400 and change nothing', async (_name, id) => {
      await expectRefusedUnchanged(
        () => call(api, 'PATCH', `/api/notifications/${id}/read`, { token }),
        400,
      );
      await expectRefusedUnchanged(
        () => call(api, 'DELETE', `/api/notifications/${id}`, { token }),
        400,
      );
    });

    it("answers another user's notification id with 404 (never 403, so ids cannot be probed) and changes nothing", async () => {
      const intruder = await mintToken(uniqueUser('intruder'));
      for (const [method, path] of [
        ['PATCH', `/api/notifications/${own.id}/read`],
        ['DELETE', `/api/notifications/${own.id}`],
      ] as const) {
        const res = await expectRefusedUnchanged(
          () => call(api, method, path, { token: intruder }),
          404,
        );
        expect(res.body.code).toBe(ErrorCode.NotFound);
      }
      expect((await inboxOf(api, owner)).map((n) => [n.id, n.readAt])).toEqual([[own.id, null]]);
    });

    it('ignores a JSON body sent to read-all and a user id smuggled in it', async () => {
      const other = uniqueUser('read-all-other');
      await service(api, 'POST', '/api/notifications', {
        userId: other,
        title: 'not yours',
        message: 'stays unread',
      });
      const res = await call(api, 'POST', '/api/notifications/read-all', {
        token,
        body: { userId: other },
      });
      expect(res.status).toBe(200);
      expect((await inboxOf(api, other)).map((n) => n.readAt)).toEqual([null]);
      await call(api, 'PATCH', `/api/notifications/${own.id}/read`, { token }); // keep state predictable
    });
  });

  describe('realtime service endpoints', () => {
    it.each<[string, unknown]>([
      ['an unknown event', { event: 'admin:grant', payload: {} }],
      [
        'a payload that breaks the contract',
        { event: 'xp:gained', payload: { amount: -5, source: '', totalXp: 'lots' } },
      ],
      ['a missing payload', { event: 'notification:unread_count' }],
      ['an event name that is not a string', { event: ['xp:gained'], payload: {} }],
      [
        'an extra top-level field',
        {
          event: 'notification:unread_count',
          payload: { unreadCount: 1 },
          room: 'user:someone-else',
        },
      ],
      [
        'an Infinity smuggled as 1e309',
        '{"event":"xp:gained","payload":{"amount":1e309,"source":"s","totalXp":1}}',
      ],
    ])(
      'POST /api/realtime/users/:id/events refuses %s with 400 and pushes nothing',
      async (_name, body) => {
        let pushed = 0;
        const count = () => pushed++;
        bystander.socket.onAny(count);
        const path = `/api/realtime/users/${encodeURIComponent(bystander.userId)}/events`;
        const res =
          typeof body === 'string'
            ? await call(api, 'POST', path, { apiKey: TEST_API_KEY, rawBody: body })
            : await service(api, 'POST', path, body);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({
          statusCode: 400,
          error: 'Bad Request',
          code: ErrorCode.InvalidPayload,
        });
        await new Promise((r) => setTimeout(r, 200));
        bystander.socket.offAny(count);
        expect(pushed).toBe(0);
      },
    );

    it.each([
      ['a 256-character user id', 'u'.repeat(256)],
      ['a NUL byte', 'a%00b'],
      ['a control character', 'a%07b'],
    ])('presence, events and disconnect refuse %s in the path with 400', async (_name, id) => {
      expect((await service(api, 'GET', `/api/realtime/users/${id}/presence`)).status).toBe(400);
      expect((await service(api, 'POST', `/api/realtime/users/${id}/disconnect`)).status).toBe(400);
      expect(
        (
          await service(api, 'POST', `/api/realtime/users/${id}/events`, {
            event: 'notification:unread_count',
            payload: { unreadCount: 1 },
          })
        ).status,
      ).toBe(400);
    });

    it('treats SQL and unicode in a user id as an opaque name', async () => {
      const id = encodeURIComponent("' OR 1=1 -- 👻");
      expect((await service(api, 'GET', `/api/realtime/users/${id}/presence`)).body).toEqual({
        online: false,
        sockets: 0,
      });
      expect((await service(api, 'POST', `/api/realtime/users/${id}/disconnect`)).body).toEqual({
        disconnected: 0,
        disconnectedHere: 0,
        peersConfirmed: 0,
        peersUnreachable: 0,
      });
    });
  });

  describe('POST /api/gamification/xp', () => {
    it.each<[string, unknown]>([
      ['a negative amount', { userId: victim, amount: -10, source: 's' }],
      ['a zero amount', { userId: victim, amount: 0, source: 's' }],
      ['an amount over the cap', { userId: victim, amount: 1_000_001, source: 's' }],
      ['a string amount', { userId: victim, amount: '10', source: 's' }],
      ['Infinity (1e309)', '{"userId":"victim-user","amount":1e309,"source":"s"}'],
      ['no source', { userId: victim, amount: 10 }],
      ['a SQL userId object', { userId: { $gt: '' }, amount: 10, source: 's' }],
    ])('refuses %s with 400 and grants nothing', async (_name, body) => {
      const res =
        typeof body === 'string'
          ? await call(api, 'POST', '/api/gamification/xp', { apiKey: TEST_API_KEY, rawBody: body })
          : await service(api, 'POST', '/api/gamification/xp', body);
      expect(res.status).toBe(400);
      const board = await call<{ leaderboard: LeaderboardEntry[] }>(
        api,
        'GET',
        '/api/gamification/leaderboard',
        { token: await mintToken('board-reader') },
      );
      expect(
        board.body.leaderboard.find((e: { userId: string }) => e.userId === victim),
      ).toBeUndefined();
    });
  });

  describe('POST /api/auth/demo-login', () => {
    it.each<[string, unknown]>([
      ['no email', {}],
      ['an invalid email', { email: 'not-an-email' }],
      ['SQL in the email', { email: "a@b.c' OR '1'='1" }],
      ['a control character in the user id', { email: 'a@example.com', userId: 'a\u0007' }],
      ['an unknown field (role escalation)', { email: 'a@example.com', role: 'admin' }],
    ])('refuses %s with 400 and issues no token', async (_name, body) => {
      const res = await call<Partial<DemoLoginResponse>>(api, 'POST', '/api/auth/demo-login', {
        body,
      });
      expect(res.status).toBe(400);
      expect(res.body.accessToken).toBeUndefined();
    });
  });

  describe('group rooms demo endpoints (service)', () => {
    it.each([
      ['a group id with a space', 'a%20b'],
      ['a group id with a slash', 'a%2Fb'],
      ['SQL in the group id', encodeURIComponent("g' OR 1=1 --")],
      ['a 65-character group id', 'g'.repeat(65)],
    ])('PUT/DELETE members and POST messages refuse %s with 400', async (_name, groupId) => {
      expect(
        (await service(api, 'PUT', `/api/groups/${groupId}/members/${bystander.userId}`)).status,
      ).toBe(400);
      expect(
        (await service(api, 'DELETE', `/api/groups/${groupId}/members/${bystander.userId}`)).status,
      ).toBe(400);
      expect(
        (await service(api, 'POST', `/api/groups/${groupId}/messages`, { text: 'hi' })).status,
      ).toBe(400);
    });

    it.each<[string, unknown]>([
      ['no text', {}],
      ['a numeric text', { text: 42 }],
      ['a whitespace-only text', { text: '   ' }],
      ['a 2,001-character text', { text: 't'.repeat(2_001) }],
      ['an extra field', { text: 'hi', from: 'admin' }],
    ])('POST messages refuses %s with 400', async (_name, body) => {
      const res = await service(api, 'POST', '/api/groups/team-1/messages', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        code: ErrorCode.InvalidPayload,
      });
    });

    it('refuses every group endpoint without the service key (401 API_KEY_INVALID)', async () => {
      const put = await call(api, 'PUT', `/api/groups/team-1/members/${bystander.userId}`);
      expect(put.status).toBe(401);
      expect(put.body).toMatchObject({ statusCode: 401, code: ErrorCode.ApiKeyInvalid });
      const post = await call(api, 'POST', '/api/groups/team-1/messages', { body: { text: 'hi' } });
      expect(post.status).toBe(401);
      expect(post.body).toMatchObject({ statusCode: 401, code: ErrorCode.ApiKeyInvalid });
    });
  });

  describe('demo control panel endpoints (user JWT, DEMO_AUTH on)', () => {
    it.each<[string, string, unknown]>([
      ['notifications with no title', '/api/demo/notifications', { userId: victim, message: 'm' }],
      [
        'notifications with a NUL byte',
        '/api/demo/notifications',
        { userId: victim, title: 'a\u0000', message: 'm' },
      ],
      ['xp with a negative amount', '/api/demo/xp', { userId: victim, amount: -1, source: 's' }],
      [
        'broadcast of an unknown event',
        '/api/demo/broadcast',
        { event: 'admin:grant', payload: {} },
      ],
    ])('refuses %s with 400 and stores nothing', async (_name, path, body) => {
      const token = await mintToken(uniqueUser('demo-user'));
      await expectRefusedUnchanged(() => call(api, 'POST', path, { token, body }), 400);
      expect(await inboxOf(api, victim)).toEqual([]);
    });

    it('refuses the demo endpoints without a user token (401)', async () => {
      await expectRefusedUnchanged(
        () => call(api, 'POST', '/api/demo/notifications', { body: valid }),
        401,
        ErrorCode.TokenMissing,
      );
    });
  });
});
