import {
  mintToken,
  startApi,
  TEST_API_KEY,
  TEST_ORIGIN,
  type ApiProcess,
} from '../../../../tools/testing/index.mjs';
import { connectAuthenticated, nextEvent, type TestSocket } from '../support/clients';

/**
 * A backend's publish (valid key, JSON body) is answered by the service fast lane; the same
 * request from a browser (an `Origin` header) takes the framework's way. Whichever way a
 * request goes, the status, the JSON and the delivery are the same; only the framework's
 * way adds what browsers read (CORS and security headers).
 */
describe('the service fast lane and the framework answer alike', () => {
  const userId = 'fast-lane-user';
  let api: ApiProcess;
  let device: TestSocket;

  beforeAll(async () => {
    api = await startApi();
    device = await connectAuthenticated(api.url, { token: await mintToken(userId) });
  });
  afterAll(async () => {
    device?.close();
    await api?.stop();
  });

  const post = (path: string, body: unknown, browser: boolean) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        'x-api-key': TEST_API_KEY,
        ...(browser ? { origin: TEST_ORIGIN } : {}),
      },
    });

  /** The answer without what differs by nature between two sends (ids, times). */
  async function comparable(res: Response) {
    const body = JSON.stringify(await res.json()).replace(/"(id|createdAt)":"[^"]*"/g, '"$1":"…"');
    return { status: res.status, contentType: res.headers.get('content-type'), body };
  }

  const xp = { event: 'xp:gained', payload: { amount: 5, source: 'lesson', totalXp: 5 } };
  const cases: Array<[string, string, unknown]> = [
    ['a typed event', `/api/realtime/users/${userId}/events`, xp],
    ['an unknown event', `/api/realtime/users/${userId}/events`, { event: 'nope', payload: {} }],
    [
      'a payload that breaks its schema',
      `/api/realtime/users/${userId}/events`,
      { event: 'xp:gained', payload: { amount: -1 } },
    ],
    ['an invalid user id', `/api/realtime/users/${'x'.repeat(300)}/events`, xp],
    [
      'a broadcast',
      '/api/realtime/broadcast',
      { event: 'leaderboard:updated', payload: { leaderboard: [] } },
    ],
    ['a notification', '/api/notifications', { userId, title: 'Hi', message: 'there' }],
    ['a notification without a title', '/api/notifications', { userId, message: 'there' }],
    ['malformed JSON', '/api/notifications', '{"userId": '],
  ];

  it.each(cases)('%s', async (_label, path, body) => {
    const fast = await post(path, body, false);
    const framework = await post(path, body, true);
    // Only the framework's way adds CORS and security headers: proof that each went the way
    // it should (a body its JSON parser refuses is answered before those are set, and in the
    // parser's words).
    expect(fast.headers.get('vary')).toBeNull();
    expect(fast.headers.get('x-frame-options')).toBeNull();
    const [a, b] = [await comparable(fast), await comparable(framework)];
    if (typeof body === 'string') {
      expect(a.status).toBe(b.status);
      expect(JSON.parse(a.body)).toMatchObject({ statusCode: 400, code: 'INVALID_PAYLOAD' });
    } else {
      expect(framework.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
      expect(framework.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(a).toEqual(b);
    }
  });

  it('delivers what the fast lane accepted, in order, and counts it in the HTTP metrics', async () => {
    const got: number[] = [];
    device.on('xp:gained', (payload) => got.push(payload.amount));
    for (const amount of [1, 2, 3]) {
      const res = await post(
        `/api/realtime/users/${userId}/events`,
        { event: 'xp:gained', payload: { amount, source: 'order', totalXp: amount } },
        false,
      );
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ delivered: true });
    }
    const stored = nextEvent(device, 'notification:new');
    expect(
      (await post('/api/notifications', { userId, title: 'Live', message: 'now' }, false)).status,
    ).toBe(201);
    expect((await stored).notification.title).toBe('Live');
    expect(got).toEqual([1, 2, 3]);
    const metrics = await (await fetch(`${api.url}/api/metrics`)).text();
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="POST",route="\/api\/realtime\/users\/:userId\/events",status="202"\} \d+/,
    );
  });
});
