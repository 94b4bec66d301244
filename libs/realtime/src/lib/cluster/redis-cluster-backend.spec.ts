import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { EmitterValidationError, RealtimeEmitter } from './realtime-emitter';
import { RedisClusterBackend, REDIS_STREAMS_ADAPTER } from './redis-cluster-backend';
import {
  createRedisConnection,
  reconnectDelay,
  redactRedisUrl,
  MAX_RECONNECT_DELAY_MS,
} from './redis-connection';
import { clusterKeys } from './redis-keys';
import {
  deleteKeysWithPrefix,
  newRunId,
  redisPrefixFor,
  TEST_REDIS_URL,
  waitFor,
} from '../../../../../tools/testing/index.mjs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One "process": an HTTP server with Socket.IO on the Redis backend; sockets join `user:{auth.userId}`. */
interface Node {
  backend: RedisClusterBackend;
  io: Server;
  http: HttpServer;
  url: string;
}

async function startNode(prefix: string): Promise<Node> {
  const backend = await RedisClusterBackend.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
  const http = createServer();
  const io = new Server(http);
  backend.attach(io);
  io.on(
    'connection',
    (socket) => void socket.join(`user:${String(socket.handshake.auth['userId'])}`),
  );
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  return { backend, io, http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function stopNode(node: Node | undefined): Promise<void> {
  if (!node) return;
  await new Promise<void>((r) => node.io.close(() => r()));
  await node.backend.close();
}

describe('reconnection policy', () => {
  it('backs off exponentially with jitter and never waits more than the cap', () => {
    expect(reconnectDelay(1, () => 0)).toBe(25);
    expect(reconnectDelay(1, () => 1)).toBe(50);
    expect(reconnectDelay(3, () => 1)).toBe(200);
    for (let attempt = 1; attempt < 100; attempt++) {
      const delay = reconnectDelay(attempt);
      expect(delay).toBeGreaterThanOrEqual(25);
      expect(delay).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
    }
    expect(reconnectDelay(50, () => 0)).toBe(MAX_RECONNECT_DELAY_MS / 2);
  });

  it('never logs a Redis password', () => {
    expect(redactRedisUrl('rediss://user:s3cret@redis.example:6380/0')).toBe(
      'rediss://user:***@redis.example:6380/0',
    );
    expect(redactRedisUrl('not a url')).not.toContain('not a url');
  });

  it('does not leave a rejected command unhandled while Redis is unreachable', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const client = createRedisConnection('redis://127.0.0.1:1', 'unit-unreachable', {
      offlineQueue: false,
    });
    try {
      // Fire and forget, as the adapter does with PUBLISH and the recovery session SET.
      void client.publish('channel', 'payload');
      void client.set('key', 'value', 'PX', 1_000);
      await expect(client.xadd('stream', '*', 'a', 'b')).rejects.toThrow(
        /enableOfflineQueue|writeable/,
      );
      await sleep(50);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      client.disconnect();
    }
  });
});

describe('RedisClusterBackend with two Socket.IO servers (real Redis)', () => {
  let admin: Redis;
  let prefix: string;
  let one: Node;
  let two: Node;
  const clients: ClientSocket[] = [];

  async function client(node: Node, userId: string): Promise<ClientSocket> {
    const socket = connect(node.url, {
      transports: ['websocket'],
      auth: { userId },
      forceNew: true,
    });
    clients.push(socket);
    await new Promise<void>((r, j) => {
      socket.once('connect', () => r());
      socket.once('connect_error', j);
    });
    // The room join on the server follows the connection by a tick.
    await sleep(50);
    return socket;
  }

  function record(socket: ClientSocket, event: string): unknown[] {
    const items: unknown[] = [];
    socket.on(event, (payload: unknown) => items.push(payload));
    return items;
  }

  beforeAll(async () => {
    admin = new Redis(TEST_REDIS_URL);
  });
  beforeEach(async () => {
    prefix = redisPrefixFor(newRunId(), 'unit-cluster');
    [one, two] = await Promise.all([startNode(prefix), startNode(prefix)]);
  });
  afterEach(async () => {
    for (const socket of clients.splice(0)) socket.close();
    await Promise.all([stopNode(one), stopNode(two)]);
    await deleteKeysWithPrefix(prefix);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('installs the Redis Streams adapter with recovery that re-runs middlewares, under the prefix', async () => {
    expect(one.backend.adapterName).toBe(REDIS_STREAMS_ADAPTER);
    expect(one.io.of('/').adapter.constructor.name).toBe('RedisStreamsAdapter');
    expect(one.io._opts.connectionStateRecovery).toMatchObject({ skipMiddlewares: false });
    await waitFor(() => one.backend.isHealthy(), 5_000, 'healthy');
    expect(() => one.backend.attach(new Server())).toThrow(/already attached/);

    one.io.emit('ping-all', 1);
    await waitFor(
      async () => (await admin.exists(clusterKeys(prefix).stream)) === 1,
      2_000,
      'stream under the prefix',
    );
  });

  it('delivers a room emit of one server to the sockets of both, once each', async () => {
    const onOne = await client(one, 'ana');
    const onTwo = await client(two, 'ana');
    const elsewhere = await client(two, 'bruno');
    const [gotOne, gotTwo, gotElsewhere] = [
      record(onOne, 'hello'),
      record(onTwo, 'hello'),
      record(elsewhere, 'hello'),
    ];
    one.io.to('user:ana').emit('hello', { n: 1 });
    await waitFor(() => gotOne.length === 1 && gotTwo.length === 1, 3_000, 'both sockets');
    await sleep(200);
    expect([gotOne, gotTwo, gotElsewhere]).toEqual([[{ n: 1 }], [{ n: 1 }], []]);
  });

  it('resubscribes and resumes the stream after its Redis connections are cut', async () => {
    const onOne = await client(one, 'ana');
    const onTwo = await client(two, 'ana');
    const gotOne = record(onOne, 'after');
    const gotTwo = record(onTwo, 'after');
    const killed = await killConnectionsNamed(admin, `herald:${prefix}:`);
    expect(killed).toBeGreaterThanOrEqual(6); // commands, stream reader and subscriber of each server

    await waitFor(
      async () => (await one.backend.isHealthy()) && (await two.backend.isHealthy()),
      10_000,
      'reconnected',
    );
    // The stream reader is back: broadcasts cross again.
    await waitFor(
      async () => {
        two.io.to('user:ana').emit('after', 'x');
        await sleep(200);
        return gotOne.length > 0;
      },
      10_000,
      'stream delivery after reconnection',
    );
    expect(gotTwo.length).toBeGreaterThan(0);
    // The pub/sub subscriber resubscribed: fetchSockets gathers answers from the other server.
    const sockets = await one.io.in('user:ana').fetchSockets();
    expect(sockets).toHaveLength(2);
  });

  it('counts presence across both servers', async () => {
    await one.backend.presence.add('ana', 'sock1');
    await two.backend.presence.add('ana', 'sock2');
    expect(await one.backend.presence.countSockets('ana')).toBe(2);
  });

  it('lets RealtimeEmitter reach the user’s sockets on every server, and refuses bad input without writing', async () => {
    const onOne = await client(one, 'carla');
    const onTwo = await client(two, 'carla');
    const [gotOne, gotTwo] = [record(onOne, 'xp:gained'), record(onTwo, 'xp:gained')];
    const emitter = await RealtimeEmitter.connect({ url: TEST_REDIS_URL, keyPrefix: prefix });
    try {
      await emitter.emitToUsers(['carla', 'carla'], 'xp:gained', {
        amount: 3,
        source: 'unit',
        totalXp: 3,
      });
      await waitFor(() => gotOne.length === 1 && gotTwo.length === 1, 3_000, 'emitter delivery');

      const stream = clusterKeys(prefix).stream;
      const length = await admin.xlen(stream);
      const attempts: (() => Promise<void>)[] = [
        () =>
          emitter.emitToUser('carla', 'nope' as 'xp:gained', {
            amount: 1,
            source: 's',
            totalXp: 1,
          }),
        // A name that is an Object.prototype member is still outside the contract.
        () =>
          emitter.emitToUser('carla', 'valueOf' as 'xp:gained', {
            amount: 1,
            source: 's',
            totalXp: 1,
          }),
        () => emitter.emitToUser('carla', 'xp:gained', { amount: -1, source: 's', totalXp: 1 }),
        () => emitter.emitToUser('', 'xp:gained', { amount: 1, source: 's', totalXp: 1 }),
        () => emitter.emitToUsers([], 'xp:gained', { amount: 1, source: 's', totalXp: 1 }),
      ];
      for (const attempt of attempts)
        await expect(attempt()).rejects.toBeInstanceOf(EmitterValidationError);
      expect(await admin.xlen(stream)).toBe(length);
      await sleep(200);
      expect(gotOne).toHaveLength(1);
      expect(gotTwo).toHaveLength(1);
    } finally {
      await emitter.close();
    }
  });

  it('fails start-up with one clear line when Redis cannot be reached', async () => {
    await expect(
      RedisClusterBackend.connect({
        url: 'redis://:pw@127.0.0.1:1',
        keyPrefix: prefix,
        connectTimeoutMs: 500,
      }),
    ).rejects.toThrow(
      /^REDIS_URL: cannot connect to redis:\/\/:\*\*\*@127\.0\.0\.1:1 within 500 ms/,
    );
  });
});

/** CLIENT KILL every connection whose name starts with `namePrefix` (only this test's). */
async function killConnectionsNamed(admin: Redis, namePrefix: string): Promise<number> {
  const list = (await admin.client('LIST')) as string;
  const ids = list
    .split('\n')
    .map((line) => ({
      id: /\bid=(\d+)/.exec(line)?.[1],
      name: /\bname=(\S*)/.exec(line)?.[1] ?? '',
    }))
    .filter((c) => c.id !== undefined && c.name.startsWith(namePrefix));
  for (const { id } of ids) if (id) await admin.client('KILL', 'ID', id);
  return ids.length;
}
