import { EventEmitter } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import { connect as connectTcp, type AddressInfo, type Socket as TcpSocket } from 'node:net';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import {
  deleteKeysWithPrefix,
  newRunId,
  redisPrefixFor,
  TEST_REDIS_URL,
} from '../../../../../tools/testing/index.mjs';
import { broadcastSlicesWritten, deliverLargeBroadcastsInSlices } from './sliced-broadcast';

const SLICE = 5;
const CLIENTS = 12;

type AdapterFactory = Parameters<typeof deliverLargeBroadcastsInSlices>[0];

/**
 * A real Socket.IO server (its adapter wrapped; Socket.IO's in-memory one unless `adapter`
 * is given) and `clients` real clients.
 */
async function serverWithClients(clients = CLIENTS, adapter?: AdapterFactory) {
  const http: HttpServer = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  const InMemoryAdapter = io.adapter() as typeof Adapter;
  io.adapter(
    deliverLargeBroadcastsInSlices(adapter ?? ((nsp) => new InMemoryAdapter(nsp)), {
      sockets: SLICE,
      atOnce: SLICE,
    }),
  );
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  /** Packets the server has written to sockets' connections so far (synchronously counted). */
  let written = 0;
  /** The most packets written within one turn of the event loop. */
  let mostInOneTurn = 0;
  let inThisTurn = 0;
  io.on('connection', (socket) =>
    socket.conn.on('packetCreate', () => {
      written += 1;
      if (inThisTurn++ === 0) setImmediate(() => (inThisTurn = 0));
      mostInOneTurn = Math.max(mostInOneTurn, inThisTurn);
    }),
  );
  const connected: ClientSocket[] = [];
  for (let i = 0; i < clients; i++) {
    const client = connect(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnection: false,
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    connected.push(client);
  }
  return {
    io,
    http,
    port,
    clients: connected,
    written: () => written,
    mostInOneTurn: () => mostInOneTurn,
    resetWritten: () => (written = mostInOneTurn = 0),
    async close() {
      for (const client of connected) client.close();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}

/** Resolves with the events `client` receives until it has `count` of them. */
function received(client: ClientSocket, count: number): Promise<string[]> {
  return new Promise((resolve) => {
    const events: string[] = [];
    client.onAny((event: string, value: unknown) => {
      events.push(`${event}:${String(value)}`);
      if (events.length === count) resolve(events);
    });
  });
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Resolves once `receiver`'s Redis Streams adapter reads what `publisher` sends. The adapter
 * starts reading at the stream's end once its own Redis connection is up, so a message
 * published before that is never read: on a busy machine, a test that publishes as soon as
 * both servers exist can wait in vain. A probe is sent to one of the receiver's sockets
 * until it arrives (for 10 s at most); the stream keeps order, so no earlier probe can
 * arrive after it.
 */
async function untilReading(
  publisher: Awaited<ReturnType<typeof serverWithClients>>,
  receiver: Awaited<ReturnType<typeof serverWithClients>>,
): Promise<void> {
  const probe = receiver.clients[0] as ClientSocket;
  receiver.io.in(probe.id as string).socketsJoin('probe');
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      const arrived = new Promise<boolean>((resolve) => {
        const onProbe = (n: number) => {
          if (n !== attempt) return;
          clearTimeout(timer);
          probe.off('probe', onProbe);
          resolve(true);
        };
        const timer = setTimeout(() => {
          probe.off('probe', onProbe);
          resolve(false);
        }, 100);
        probe.on('probe', onProbe);
      });
      publisher.io.to('probe').emit('probe', attempt);
      if (await arrived) return;
    }
    throw new Error('the receiving server never read the Redis stream within 10 s');
  } finally {
    receiver.io.in(probe.id as string).socketsLeave('probe');
  }
}

describe('large broadcasts go out a slice at a time', () => {
  let setup: Awaited<ReturnType<typeof serverWithClients>>;
  beforeEach(async () => {
    setup = await serverWithClients();
    setup.resetWritten();
  });
  afterEach(() => setup.close());

  it('writes one slice per event-loop turn and reaches every socket exactly once', async () => {
    const all = setup.clients.map((client) => received(client, 1));
    const slicesBefore = broadcastSlicesWritten();
    setup.io.emit('news', 1);
    expect(setup.written()).toBe(SLICE);
    await nextTurn();
    expect(setup.written()).toBe(2 * SLICE);
    expect(await Promise.all(all)).toEqual(setup.clients.map(() => ['news:1']));
    expect(setup.written()).toBe(CLIENTS);
    // What load shedding reads to tell a broadcast's busy windows from overload.
    expect(broadcastSlicesWritten() - slicesBefore).toBe(Math.ceil(CLIENTS / SLICE));
  });

  it('writes a delivery no larger than a slice at once', () => {
    const few = setup.clients.slice(0, SLICE).map((client) => client.id as string);
    setup.io.to(few).emit('news', 1);
    expect(setup.written()).toBe(SLICE);
  });

  it('gives a socket sent an event mid-broadcast the broadcast first, at once', async () => {
    const last = setup.clients[CLIENTS - 1] as ClientSocket;
    const events = received(last, 2);
    setup.io.emit('news', 1);
    setup.io.to(last.id as string).emit('direct', 2);
    // The first slice, then the last socket's broadcast and its own event: not the rest.
    expect(setup.written()).toBe(SLICE + 2);
    expect(await events).toEqual(['news:1', 'direct:2']);
  });

  it('keeps broadcasts in emit order on every socket', async () => {
    const all = setup.clients.map((client) => received(client, 3));
    setup.io.emit('news', 1);
    setup.io.emit('news', 2);
    setup.io.emit('news', 3);
    expect(await Promise.all(all)).toEqual(setup.clients.map(() => ['news:1', 'news:2', 'news:3']));
  });

  it('writes an acknowledged broadcast whole, so every answer is counted', async () => {
    for (const client of setup.clients)
      client.on('ask', (_: unknown, ack: (a: string) => void) => ack('yes'));
    const answers = setup.io.timeout(5_000).emitWithAck('ask', 1);
    expect(setup.written()).toBe(CLIENTS);
    expect(await answers).toEqual(setup.clients.map(() => 'yes'));
  });

  it('lets the loop accept every waiting connection before the next slice', async () => {
    // Node accepts one connection per turn of its loop: four connections waiting as a
    // broadcast starts are all accepted between the same two slices (one turn per slice
    // would take one of them between each two, and the rest after the broadcast).
    const writtenAtAccept: number[] = [];
    const acceptedAll = new Promise<void>((resolve) =>
      setup.http.on('connection', () => {
        writtenAtAccept.push(setup.written());
        if (writtenAtAccept.length === 4) resolve();
      }),
    );
    const raw: TcpSocket[] = Array.from({ length: 4 }, () =>
      connectTcp({ host: '127.0.0.1', port: setup.port }),
    );
    try {
      // Net connects to an address on the next tick: then they wait in the kernel, to be
      // accepted by the coming turns of the loop.
      await new Promise<void>((resolve) => process.nextTick(resolve));
      const all = setup.clients.map((client) => received(client, 1));
      setup.io.emit('news', 1);
      await Promise.all([acceptedAll, ...all]);
      const [first] = writtenAtAccept;
      expect(writtenAtAccept).toEqual([first, first, first, first]);
      expect(first).toBeLessThan(CLIENTS);
    } finally {
      for (const socket of raw) socket.destroy();
    }
  });

  it('writes what a socket is owed before it is disconnected', async () => {
    const last = setup.clients[CLIENTS - 1] as ClientSocket;
    const events = received(last, 1);
    const gone = new Promise<void>((resolve) => last.once('disconnect', () => resolve()));
    setup.io.emit('news', 1);
    setup.io.in(last.id as string).disconnectSockets(true);
    expect(await events).toEqual(['news:1']);
    await gone;
  });
});

describe('over the Redis cluster adapter', () => {
  const prefix = redisPrefixFor(newRunId(), 'sliced');
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  const streams = () =>
    createAdapter(redis, {
      streamName: `${prefix}stream`,
      channelPrefix: `${prefix}channel`,
      sessionKeyPrefix: `${prefix}session:`,
    }) as unknown as AdapterFactory;
  let publisher: Awaited<ReturnType<typeof serverWithClients>>;
  let receiver: Awaited<ReturnType<typeof serverWithClients>>;

  beforeAll(async () => {
    await redis.connect();
    publisher = await serverWithClients(0, streams());
    receiver = await serverWithClients(CLIENTS, streams());
    await untilReading(publisher, receiver);
    // Room for the probe's 10 s on a busy machine, beyond the default 10 s of a hook.
  }, 30_000);
  afterAll(async () => {
    await publisher?.close();
    await receiver?.close();
    await deleteKeysWithPrefix(prefix);
    redis.disconnect();
  });

  it('slices a broadcast another process sent, keeping each socket in emit order', async () => {
    receiver.resetWritten();
    const last = receiver.clients[CLIENTS - 1] as ClientSocket;
    const lastEvents = received(last, 2);
    const others = receiver.clients.slice(0, -1).map((client) => received(client, 1));
    publisher.io.emit('news', 1);
    publisher.io.to(last.id as string).emit('direct', 2);
    expect(await lastEvents).toEqual(['news:1', 'direct:2']);
    expect(await Promise.all(others)).toEqual(others.map(() => ['news:1']));
    // Both messages may arrive in one read of the stream: the first slice, then the last
    // socket's broadcast and its own event, in one turn; never the whole broadcast.
    expect(receiver.mostInOneTurn()).toBeLessThanOrEqual(SLICE + 2);
    expect(receiver.written()).toBe(CLIENTS + 1);
  });
});

/**
 * The wrapper around an adapter whose `apply` hands it `sockets` stand-ins, with `clock` as
 * its time: what a slice writes, without Socket.IO around it.
 */
function slicedOver(
  sockets: number,
  slicing: Parameters<typeof deliverLargeBroadcastsInSlices>[1],
  clock: () => number,
  httpServer?: EventEmitter,
) {
  const targets = Array.from({ length: sockets }, (_, i) => ({ id: `s${i}` }));
  const inner = {
    apply: (_opts: unknown, each: (socket: unknown) => void) => targets.forEach(each),
    _encode: (_packet: { id?: number }) => [],
  };
  const factory = deliverLargeBroadcastsInSlices(() => inner as unknown as Adapter, slicing, clock);
  const adapter = factory({ server: { httpServer } } as never) as unknown as typeof inner;
  const written: string[] = [];
  return {
    written,
    broadcast() {
      // A packet without an acknowledgement id: one that may be sliced.
      adapter._encode({});
      adapter.apply({}, (socket) => written.push((socket as { id: string }).id));
    },
  };
}

describe('a slice', () => {
  it('ends once it has held the event loop for its time, read every 32 sockets', async () => {
    // Every reading of the clock is 5 ms later: the first slice reads it at its start, after
    // 32 sockets (5 ms in) and after 64 (10 ms in, its time spent).
    let time = 0;
    const sliced = slicedOver(100, { ms: 10, atOnce: 10 }, () => (time += 5) - 5);
    sliced.broadcast();
    expect(sliced.written).toHaveLength(64);
    await nextTurn();
    expect(sliced.written).toEqual(Array.from({ length: 100 }, (_, i) => `s${i}`));
  });

  it('waits at most its number of turns for connections, so a flood cannot hold it up', async () => {
    // A connection accepted on every turn: each gap between two slices lasts its bound.
    const http = new EventEmitter();
    const sliced = slicedOver(100, { sockets: 10, atOnce: 10, turnsBetween: 3 }, () => 0, http);
    sliced.broadcast();
    const writtenPerTurn: number[] = [];
    while (sliced.written.length < 100) {
      http.emit('connection');
      await nextTurn();
      writtenPerTurn.push(sliced.written.length);
    }
    // Nine slices after the first, each after three turns.
    expect(writtenPerTurn).toHaveLength(27);
    expect(writtenPerTurn.filter((_, i) => i % 3 === 2)).toEqual([
      20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
  });

  it('writes a broadcast that fits in its time whole, at once', () => {
    const sliced = slicedOver(1_000, {}, () => 0);
    sliced.broadcast();
    expect(sliced.written).toHaveLength(1_000);
  });

  it('writes a delivery to at most 1,000 sockets whole by default, however slow the writes', () => {
    // Every reading of the clock is 10 ms later: a sliced delivery would stop after 96.
    let time = 0;
    const slow = () => (time += 10) - 10;
    const whole = slicedOver(1_000, {}, slow);
    whole.broadcast();
    expect(whole.written).toHaveLength(1_000);

    const sliced = slicedOver(1_001, {}, slow);
    sliced.broadcast();
    expect(sliced.written).toHaveLength(96);
  });

  it('needs a positive time and positive whole numbers of sockets', () => {
    const factory = () => {
      throw new Error('not called');
    };
    expect(() => deliverLargeBroadcastsInSlices(factory, { ms: 0 })).toThrow(RangeError);
    expect(() => deliverLargeBroadcastsInSlices(factory, { sockets: 0 })).toThrow(RangeError);
    expect(() => deliverLargeBroadcastsInSlices(factory, { atOnce: 1.5 })).toThrow(RangeError);
    expect(() => deliverLargeBroadcastsInSlices(factory, { turnsBetween: 0 })).toThrow(RangeError);
  });
});
