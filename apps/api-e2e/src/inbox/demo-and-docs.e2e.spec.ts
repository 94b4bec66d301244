import { type ApiProcess, TEST_JWT_SECRET } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import { jwtVerify } from 'jose';
import {
  buildAsyncApiDocument,
  ErrorCode,
  HTTP_STATUS_BY_ERROR_CODE,
  SERVER_EVENT_NAMES,
  type DemoLoginResponse,
  type DemoUser,
  type Notification,
  type NotificationPage,
} from '@herald/ws-contracts';
import { Device, ENGINES, START_HOOK_TIMEOUT_MS, startApiOn, uniqueUser } from './inbox-harness';

const [PGLITE, POSTGRES] = ENGINES;

/** An error response of the OpenAPI document: the HttpError body with `code` narrowed. */
interface ErrorResponseDoc {
  description?: string;
  content?: Record<
    string,
    { schema?: { allOf?: { properties?: { code?: { enum?: string[] } } }[] } }
  >;
}

async function post<T>(api: ApiProcess, path: string, body: unknown, token?: string) {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

describe('demo sign-in and demo actions while DEMO_AUTH is on', () => {
  let api: ApiProcess;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ api, stop } = await startApiOn(PGLITE, inject('runId'), { DEMO_AUTH: 'true' }));
  }, START_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await stop?.();
  });

  it('issues an HS256 token the API itself accepts, for a demo user or any email', async () => {
    const login = await post<DemoLoginResponse>(api, '/api/auth/demo-login', {
      email: 'Ana@Herald.dev',
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual({
      id: 'ana',
      email: 'ana@herald.dev',
      name: 'Ana Souza',
      role: 'user',
    });
    const { payload, protectedHeader } = await jwtVerify(
      login.body.accessToken,
      new TextEncoder().encode(TEST_JWT_SECRET),
    );
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('ana');
    expect(payload.exp).toBe(Math.floor(Date.parse(login.body.expiresAt) / 1000));

    const stranger = await post<DemoLoginResponse>(api, '/api/auth/demo-login', {
      email: 'zoe@example.com',
      name: 'Zoe',
    });
    expect(stranger.body.user).toMatchObject({ id: 'zoe@example.com', name: 'Zoe' });
    const explicit = await post<DemoLoginResponse>(api, '/api/auth/demo-login', {
      userId: 'u-77',
      email: 'x@example.com',
    });
    expect(explicit.body.user.id).toBe('u-77');

    for (const body of [
      {},
      { email: 'not-an-email' },
      { email: 'a@b.co', admin: true },
      { email: 'a@b.co', userId: '' },
    ]) {
      expect((await post(api, '/api/auth/demo-login', body)).status).toBe(400);
    }
  });

  it('unlocks "first sign-in" once, waiting in the inbox', async () => {
    const email = `${uniqueUser('first')}@example.com`;
    const login = await post<DemoLoginResponse>(api, '/api/auth/demo-login', { email });
    await post(api, '/api/auth/demo-login', { email });
    const res = await fetch(`${api.url}/api/notifications`, {
      headers: { authorization: `Bearer ${login.body.accessToken}` },
    });
    const page = (await res.json()) as NotificationPage;
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      type: 'achievement',
      data: { achievementId: 'first-sign-in' },
    });
  });

  it('lets a signed-in demo user list demo users, send, grant XP and broadcast without the API key', async () => {
    const { body: ana } = await post<DemoLoginResponse>(api, '/api/auth/demo-login', {
      email: 'ana@herald.dev',
    });
    const { body: bruno } = await post<DemoLoginResponse>(api, '/api/auth/demo-login', {
      email: 'bruno@herald.dev',
    });
    const brunoPhone = await Device.connect(api.url, bruno.accessToken);
    try {
      const users = await fetch(`${api.url}/api/demo/users`, {
        headers: { authorization: `Bearer ${ana.accessToken}` },
      });
      expect(((await users.json()) as DemoUser[]).map((u) => u.id)).toEqual([
        'ana',
        'bruno',
        'carla',
        'diego',
      ]);
      expect((await fetch(`${api.url}/api/demo/users`)).status).toBe(401);

      const sent = await post<Notification>(
        api,
        '/api/demo/notifications',
        { userId: 'bruno', title: 'Hi', message: 'from Ana' },
        ana.accessToken,
      );
      expect(sent.status).toBe(201);
      await brunoPhone.waitFor<{ notification: Notification }>(
        'notification:new',
        (p) => p.notification.id === sent.body.id,
      );
      expect(
        (await post(api, '/api/demo/notifications', { userId: 'bruno' }, ana.accessToken)).status,
      ).toBe(400);

      const xp = await post(
        api,
        '/api/demo/xp',
        { userId: 'bruno', amount: 50, source: 'demo' },
        ana.accessToken,
      );
      expect(xp.status).toBe(200);
      await brunoPhone.waitFor('xp:gained', (p: { source: string }) => p.source === 'demo');

      const broadcast = await post(
        api,
        '/api/demo/broadcast',
        { event: 'achievement:unlocked', payload: { achievementId: 'party', title: 'Party time' } },
        ana.accessToken,
      );
      expect(broadcast).toEqual({ status: 200, body: { delivered: true } });
      await brunoPhone.waitFor(
        'achievement:unlocked',
        (p: { achievementId: string }) => p.achievementId === 'party',
      );
      const bad = await post(
        api,
        '/api/demo/broadcast',
        { event: 'made:up', payload: {} },
        ana.accessToken,
      );
      expect(bad.status).toBe(400);
      const wrongPayload = await post(
        api,
        '/api/demo/broadcast',
        { event: 'xp:gained', payload: { amount: -1 } },
        ana.accessToken,
      );
      expect(wrongPayload.status).toBe(400);
    } finally {
      brunoPhone.close();
    }
  });

  it('serves the OpenAPI document with the contract schemas and Swagger UI', async () => {
    const res = await fetch(`${api.url}/api/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: {
        schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
      };
    };
    for (const [path, method] of [
      ['/api/notifications', 'get'],
      ['/api/notifications', 'post'],
      ['/api/notifications/unread-count', 'get'],
      ['/api/notifications/{id}/read', 'patch'],
      ['/api/notifications/read-all', 'post'],
      ['/api/notifications/{id}', 'delete'],
      ['/api/gamification/xp', 'post'],
      ['/api/gamification/leaderboard', 'get'],
      ['/api/auth/demo-login', 'post'],
    ]) {
      expect(doc.paths[path]?.[method], `${method.toUpperCase()} ${path}`).toBeDefined();
    }
    expect(doc.components.schemas['Notification']?.required).toEqual(
      expect.arrayContaining([
        'id',
        'userId',
        'type',
        'title',
        'message',
        'data',
        'createdAt',
        'readAt',
      ]),
    );
    expect(Object.keys(doc.components.schemas['CreateNotificationBody']?.properties ?? {})).toEqual(
      expect.arrayContaining(['userId', 'userIds', 'title', 'message', 'type', 'data']),
    );
    // Every error code is in the document, and every error answer lists the codes it carries.
    expect(
      (doc.components.schemas['HttpError']?.properties?.['code'] as { enum?: string[] }).enum,
    ).toEqual(expect.arrayContaining(Object.values(ErrorCode)));
    expect(doc.components.schemas['HttpError']?.required).toEqual(
      expect.arrayContaining(['statusCode', 'message', 'error', 'code']),
    );
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const responses = (operation as { responses: Record<string, ErrorResponseDoc> }).responses;
        const where = `${method.toUpperCase()} ${path}`;
        expect(Object.keys(responses), where).toContain('500');
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400) continue;
          const codes =
            response.content?.['application/json']?.schema?.allOf?.[1]?.properties?.code?.enum;
          expect(codes?.length, `${where} ${status}`).toBeGreaterThan(0);
          for (const code of codes ?? [])
            expect(HTTP_STATUS_BY_ERROR_CODE[code as ErrorCode], `${where} ${code}`).toBe(
              Number(status),
            );
        }
      }
    }
    expect(doc.paths['/api/notifications/{id}']?.['delete']).toMatchObject({
      responses: { '404': { description: expect.stringContaining('NOT_FOUND') } },
    });
    expect(doc.paths['/api/notifications']?.['post']).toMatchObject({
      responses: {
        '401': { description: expect.stringContaining('API_KEY_INVALID') },
        '413': { description: expect.stringContaining('PAYLOAD_TOO_LARGE') },
        '503': { description: expect.stringContaining('SERVICE_UNAVAILABLE') },
      },
    });
    // Publish endpoints may also be shed for overload; reads never are.
    const description503 = (path: string, method: string) =>
      (doc.paths[path]?.[method] as { responses: Record<string, ErrorResponseDoc> } | undefined)
        ?.responses['503']?.description ?? '';
    for (const path of [
      '/api/notifications',
      '/api/realtime/broadcast',
      '/api/realtime/users/{userId}/events',
      '/api/gamification/xp',
    ])
      expect(description503(path, 'post'), `POST ${path}`).toContain('OVERLOADED');
    expect(description503('/api/notifications', 'get')).not.toContain('OVERLOADED');
    const ui = await fetch(`${api.url}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('serves the AsyncAPI document of the Socket.IO contract beside it, naming this server', async () => {
    const res = await fetch(`${api.url}/api/asyncapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await res.json()) as ReturnType<typeof buildAsyncApiDocument>;
    const expected = buildAsyncApiDocument({
      host: new URL(api.url).host,
      protocol: 'ws',
      path: '/socket.io/',
    });
    expect(doc).toEqual(expected);
    const messages = Object.values(doc.components['messages'] as Record<string, { name: string }>);
    expect(messages.map((m) => m.name)).toEqual(expect.arrayContaining([...SERVER_EVENT_NAMES]));
    expect((doc.components['schemas'] as { ErrorCode: { enum: string[] } }).ErrorCode.enum).toEqual(
      expect.arrayContaining(Object.values(ErrorCode)),
    );
  });
});

describe('demo routes while DEMO_AUTH is off', () => {
  let api: ApiProcess;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ api, stop } = await startApiOn(POSTGRES, inject('runId'), { DEMO_AUTH: 'false' }));
  }, START_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await stop?.();
  });

  it('answers 404 to demo sign-in and every demo route, even with a valid token', async () => {
    expect((await post(api, '/api/auth/demo-login', { email: 'ana@herald.dev' })).status).toBe(404);
    const token = await (await import('../../../../tools/testing/index.mjs')).mintToken('ana');
    expect(
      (await fetch(`${api.url}/api/demo/users`, { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(404);
    expect(
      (
        await post(
          api,
          '/api/demo/notifications',
          { userId: 'ana', title: 't', message: 'm' },
          token,
        )
      ).status,
    ).toBe(404);
    expect(
      (await post(api, '/api/demo/xp', { userId: 'ana', amount: 1, source: 's' }, token)).status,
    ).toBe(404);
    expect(
      (await post(api, '/api/demo/broadcast', { event: 'error', payload: { message: 'x' } }, token))
        .status,
    ).toBe(404);
    // The real API is unaffected.
    const res = await fetch(`${api.url}/api/notifications`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });
});
