import { spawn, type ChildProcess } from 'node:child_process';
import {
  freePort,
  mintToken,
  startApi,
  TEST_API_KEY,
  waitFor,
  type ApiProcess,
} from '../../../../tools/testing/index.mjs';
import { connectAuthenticated, nextEvent, type TestSocket } from '../support/clients';

/** How long the API waits for any Redis command (REDIS_COMMAND_TIMEOUT_MS) in this suite. */
const COMMAND_TIMEOUT_MS = 400;
/** Generous bound for "at local speed": the command timeout plus scheduling on a busy machine. */
const LOCAL_BOUND_MS = COMMAND_TIMEOUT_MS + 1_200;

/**
 * A Redis that accepts connections but stops answering (a fork stall, `CLIENT PAUSE`, a
 * partition without a reset): here a private redis-server frozen with SIGSTOP. Local
 * sockets still get their events at local speed, a new socket is still welcomed, and
 * health says that Redis does not answer.
 */
describe('a Redis that stops answering', () => {
  let redis: ChildProcess;
  let api: ApiProcess;
  const sockets: TestSocket[] = [];
  let userCounter = 0;
  const newUser = () => `hung-redis-${process.pid}-${++userCounter}`;

  beforeAll(async () => {
    const port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    api = await startApi({
      env: {
        REDIS_URL: `redis://127.0.0.1:${port}`,
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      },
    });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    redis?.kill('SIGCONT');
    await api?.stop();
    const exited = new Promise((r) => redis?.once('exit', r));
    redis?.kill('SIGKILL');
    await exited;
  });

  async function redisCheck(): Promise<{ status: string; detail?: string }> {
    const res = await fetch(`${api.url}/api/health`, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as {
      checks: Record<string, { status: string; detail?: string } | undefined>;
    };
    const redis = body.checks['redis'];
    if (!redis) throw new Error(`health has no redis check: ${JSON.stringify(body)}`);
    return redis;
  }

  /** Emits xp to `userId` over the service API and resolves with the ms until `socket` has it. */
  async function timeToDeliver(socket: TestSocket, userId: string, totalXp: number) {
    const started = performance.now();
    const arrived = nextEvent(socket, 'xp:gained', 4_000);
    void fetch(`${api.url}/api/realtime/users/${userId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
      body: JSON.stringify({
        event: 'xp:gained',
        payload: { amount: 1, source: 'hung-redis', totalXp },
      }),
    }).catch(() => undefined);
    const payload = await arrived;
    expect(payload.totalXp).toBe(totalXp);
    return performance.now() - started;
  }

  it('delivers to local sockets, welcomes new ones and reports Redis down, then heals', async () => {
    const userId = newUser();
    const socket = await connectAuthenticated(api.url, { token: await mintToken(userId) });
    sockets.push(socket);
    expect((await redisCheck()).status).toBe('up');

    redis.kill('SIGSTOP');
    try {
      expect(await timeToDeliver(socket, userId, 1)).toBeLessThan(LOCAL_BOUND_MS);
      expect(await timeToDeliver(socket, userId, 2)).toBeLessThan(LOCAL_BOUND_MS);

      const started = performance.now();
      const newcomer = await connectAuthenticated(api.url, { token: await mintToken(newUser()) });
      sockets.push(newcomer);
      expect(performance.now() - started).toBeLessThan(LOCAL_BOUND_MS);

      expect(await redisCheck()).toMatchObject({ status: 'down' });
    } finally {
      redis.kill('SIGCONT');
    }
    await waitFor(async () => (await redisCheck()).status === 'up', 10_000, 'Redis back up');
    expect(await timeToDeliver(socket, userId, 3)).toBeLessThan(LOCAL_BOUND_MS);
  }, 60_000);
});
