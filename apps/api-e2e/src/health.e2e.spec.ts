import { startApi, type ApiProcess } from '../../../tools/testing/index.mjs';

describe('GET /api/health', () => {
  let api: ApiProcess;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('answers 200 with the contract version and dependency checks', async () => {
    const res = await fetch(`${api.url}/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      status: 'ok',
      contractVersion: expect.any(String),
      checks: expect.any(Object),
    });
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const res = await fetch(`${api.url}/api/does-not-exist`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
      code: 'NOT_FOUND',
    });
  });

  it('exits 0 on SIGTERM', async () => {
    const other = await startApi();
    expect(await other.stop()).toBe(0);
  });
});
