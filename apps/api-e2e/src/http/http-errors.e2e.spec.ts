import { startApi, TEST_API_KEY, type ApiProcess } from '../../../../tools/testing/index.mjs';

/** Every HTTP error is JSON { statusCode, message, error, code } with the status of its code. */
describe('HTTP errors and limits', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApi({ env: { HTTP_RATE_LIMIT_PER_MINUTE: '60', HTTP_BODY_LIMIT: '2kb' } });
  });
  afterAll(async () => {
    await api?.stop();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY, ...headers },
    });

  it('answers a body over the limit with 413 and the JSON error shape', async () => {
    const res = await post(
      '/api/notifications',
      JSON.stringify({ userId: 'u', title: 't', message: 'x'.repeat(4_000) }),
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      statusCode: 413,
      error: 'Payload Too Large',
      message: expect.any(String),
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await post('/api/notifications', '{"userId": "u", ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.any(String),
      code: 'INVALID_PAYLOAD',
    });
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    const res = await fetch(`${api.url}/api/no-such-route`, {
      headers: { 'x-api-key': TEST_API_KEY },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
      code: 'NOT_FOUND',
    });
  });

  it('answers a wrong API key with 401 API_KEY_INVALID and a missing token with TOKEN_MISSING', async () => {
    const wrongKey = await post('/api/realtime/broadcast', '{}', { 'x-api-key': 'wrong-key' });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid API key',
      code: 'API_KEY_INVALID',
    });
    const noToken = await fetch(`${api.url}/api/notifications/unread-count`, {
      headers: { 'x-api-key': TEST_API_KEY },
    });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ statusCode: 401, code: 'TOKEN_MISSING' });
  });

  it('answers an unsupported body encoding with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await post('/api/notifications', '{}', { 'content-encoding': 'compress' });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({
      statusCode: 415,
      error: 'Unsupported Media Type',
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });

  it('sends security headers', async () => {
    const res = await fetch(`${api.url}/api/health`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('exposes Prometheus metrics', async () => {
    const res = await fetch(`${api.url}/api/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('herald_http_request_duration_seconds');
    expect(text).toContain('nodejs_eventloop_lag');
  });

  it('rate-limits a flood from one address with 429, exempting the service key', async () => {
    // 60 per minute gives a burst of 10: a flood of 30 must see 429s.
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${api.url}/api/notifications/unread-count`).then((r) => r.status),
      ),
    );
    expect(statuses).toContain(429);
    const limited = await fetch(`${api.url}/api/notifications/unread-count`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await limited.json()).toMatchObject({
      statusCode: 429,
      error: 'Too Many Requests',
      code: 'RATE_LIMITED',
    });

    // A backend with the service key is never throttled, and health probes neither.
    const served = await post(
      '/api/realtime/broadcast',
      JSON.stringify({ event: 'xp:gained', payload: { amount: 1, source: 's', totalXp: 1 } }),
    );
    expect(served.status).not.toBe(429);
    expect((await fetch(`${api.url}/api/health`)).status).toBe(200);
  });
});
