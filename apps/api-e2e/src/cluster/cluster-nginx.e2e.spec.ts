import {
  type ApiProcess,
  createScratchDatabase,
  deleteKeysWithPrefix,
  mintToken,
  redisPrefixFor,
  type ScratchDatabase,
  sleep,
  TEST_REDIS_URL,
  waitFor,
} from '../../../../tools/testing/index.mjs';
import { existsSync } from 'node:fs';
import { inject } from 'vitest';
import {
  connectAuthenticated,
  expectRefusal,
  nextEvent,
  type TestSocket,
} from '../support/clients';
import {
  NGINX_BIN,
  recordArrivals,
  servicePost,
  startCluster,
  startNginx,
  stopAll,
  type NginxProcess,
} from './cluster-support';

/**
 * deploy/nginx/herald.conf in front of two API processes. CI installs nginx when it is
 * missing (.ci/run), so a missing binary is a failure, not a skip.
 */
describe('two API processes behind deploy/nginx/herald.conf', () => {
  const runId = inject('runId');
  const prefix = redisPrefixFor(runId, 'nginx');
  let database: ScratchDatabase;
  let apis: ApiProcess[] = [];
  let nginx: NginxProcess;
  const sockets: TestSocket[] = [];
  let userCounter = 0;
  const newUser = () => `nginx-user-${process.pid}-${++userCounter}`;

  beforeAll(async () => {
    if (!existsSync(NGINX_BIN))
      throw new Error(`${NGINX_BIN} is missing: install nginx-light (.ci/run does)`);
    database = await createScratchDatabase(runId);
    apis = await startCluster(2, {
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      DATABASE_URL: database.url,
    });
    nginx = await startNginx(apis, runId);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await nginx?.stop();
    await stopAll(apis);
    await database?.drop();
    await deleteKeysWithPrefix(prefix);
  });

  it('serves a long-polling client end to end, every request of its session on one upstream', async () => {
    const userId = newUser();
    const before = nginx.upstreamsSeen().length;
    const socket = await connectAuthenticated(nginx.url, {
      token: await mintToken(userId),
      transports: ['polling'],
    });
    sockets.push(socket);
    expect(socket.io.engine.transport.name).toBe('polling');

    // Events pushed through both processes reach it (one directly, one across Redis).
    const got = recordArrivals(socket, 'xp:gained');
    for (const [i, api] of apis.entries()) {
      const res = await servicePost(api, `/realtime/users/${userId}/events`, {
        event: 'xp:gained',
        payload: { amount: 1, source: 'nginx', totalXp: i + 1 },
      });
      expect(res.status).toBeLessThan(300);
    }
    await waitFor(() => got.length === 2, 5_000, 'both events over polling');

    // A client event with an acknowledgement makes another round trip on the same session.
    const ack = await socket.timeout(5_000).emitWithAck('notification:mark_all_read', {});
    expect(ack).toMatchObject({ ok: true });
    await sleep(200);

    const upstreams = nginx.upstreamsSeen().slice(before);
    const pollingRequests = upstreams.length;
    expect(pollingRequests).toBeGreaterThanOrEqual(4);
    expect(new Set(upstreams).size).toBe(1);
    expect(apis.map((api) => `127.0.0.1:${api.port}`)).toContain(upstreams[0]);
  });

  it('upgrades a client to WebSocket through the proxy', async () => {
    const userId = newUser();
    const socket = await connectAuthenticated(nginx.url, {
      token: await mintToken(userId),
      transports: ['polling', 'websocket'],
    });
    sockets.push(socket);
    await waitFor(
      () => socket.io.engine.transport.name === 'websocket',
      5_000,
      'upgrade to websocket',
    );
    const arrived = nextEvent(socket, 'xp:gained');
    await servicePost(apis[1], `/realtime/users/${userId}/events`, {
      event: 'xp:gained',
      payload: { amount: 2, source: 'nginx-ws', totalXp: 2 },
    });
    expect(await arrived).toEqual({ amount: 2, source: 'nginx-ws', totalXp: 2 });
  });

  it('control: the same polling client fails without the sticky directive (so the test above can tell)', async () => {
    const roundRobin = await startNginx(apis, runId, (config) => {
      expect(config).toMatch(/^\s*ip_hash;/m);
      return config.replace(/^\s*ip_hash;\n/m, '');
    });
    try {
      const error = await expectRefusal(roundRobin.url, {
        token: await mintToken(newUser()),
        transports: ['polling'],
      });
      expect(error.message).toMatch(/xhr (poll|post) error|session id unknown|timeout/i);
      // nginx logs a request when it has finished it, which can be just after the client
      // read the answer: wait for the line instead of reading the log at once.
      await waitFor(
        () => new Set(roundRobin.upstreamsSeen()).size === 2,
        5_000,
        'the requests of one polling session logged on both upstreams',
      );
    } finally {
      await roundRobin.stop();
    }
  });
});
