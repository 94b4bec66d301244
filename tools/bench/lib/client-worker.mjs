// A load-driver worker: a separate Node process holding a share of the benchmark's real
// socket.io-client connections (websocket transport). It is driven over IPC by the
// coordinator (driver.mjs) and answers every command with { id, ok, result | error }.
//
// Timing uses process.hrtime (CLOCK_MONOTONIC, shared by every process on the machine), so
// a publish time stamped by the coordinator and a receipt time taken here are comparable.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { RECEIPT_DEFAULTS, ReceiptBatcher } from './receipt-batcher.mjs';
// Only the token module: a worker has no use for the harness's database and Redis clients.
import { mintToken } from '../../testing/tokens.mjs';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

/** @type {Array<{ socket: import('socket.io-client').Socket, userId: string, authedAt: number, resyncedAt: number, got: Map<number, number>, gotBroadcast: Set<number>, receipts?: ReceiptBatcher }>} */
let clients = [];
/**
 * What the current measurement has received: { event, latenciesUs, received, duplicates },
 * and while a broadcast goes out during per-user traffic also `deliveries` (each per-user
 * delivery as [scheduledUs, latencyUs]) and `broadcast` (broadcasts, stamped "b:", kept apart
 * from the per-user events: { received, duplicates, bySeq: { [seq]: { received, maxUs } } }).
 */
let tracking = null;
/**
 * This process's event-loop delay while broadcasts are tracked: how long a delivery may have
 * waited here, behind other sockets' events, before it was timed (client-side, not server).
 */
let lag = null;
let reconnectWatch = null; // { since, authTimes: number[] }
/**
 * While set, every socket confirms the `notification:new` it receives with batched
 * `notification:received` messages, as the client library does; `stats` adds up this
 * worker's messages, confirmed ids and messages left without acknowledgement.
 */
let receipts = null; // { options, stats }

async function mintTokens(userIds, secret) {
  const cache = new Map();
  for (const userId of userIds) {
    if (cache.has(userId)) continue;
    cache.set(
      userId,
      await mintToken(userId, { email: `${userId}@bench.test`, secret, expiresIn: 6 * 3600 }),
    );
  }
  return cache;
}

/** Parses the publish stamp the coordinator put in a payload: "<tag>:<seq>:<t0us>". */
function stampOf(event, payload) {
  if (event === 'xp:gained') {
    const parts = typeof payload?.source === 'string' ? payload.source.split(':') : [];
    if (parts.length === 3) return { tag: parts[0], seq: Number(parts[1]), t0: Number(parts[2]) };
  } else if (event === 'notification:new') {
    const data = payload?.notification?.data;
    if (data && typeof data.seq === 'number') return { seq: data.seq, t0: data.t };
  }
  return undefined;
}

function onMeasuredEvent(client, event, payload) {
  if (!tracking || tracking.event !== event) return;
  const at = nowUs();
  const stamp = stampOf(event, payload);
  if (!stamp) return;
  if (tracking.broadcast && stamp.tag === 'b') {
    onBroadcast(client, stamp, at);
    return;
  }
  if (client.got.has(stamp.seq)) {
    tracking.duplicates += 1;
    return;
  }
  client.got.set(stamp.seq, at);
  tracking.received += 1;
  tracking.latenciesUs.push(at - stamp.t0);
  tracking.deliveries?.push([stamp.t0, at - stamp.t0]);
}

function onBroadcast(client, stamp, at) {
  const { broadcast } = tracking;
  if (client.gotBroadcast.has(stamp.seq)) {
    broadcast.duplicates += 1;
    return;
  }
  client.gotBroadcast.add(stamp.seq);
  broadcast.received += 1;
  const one = (broadcast.bySeq[stamp.seq] ??= { received: 0, maxUs: 0 });
  one.received += 1;
  one.maxUs = Math.max(one.maxUs, at - stamp.t0);
}

function attach(client) {
  const { socket } = client;
  socket.on('authenticated', () => {
    client.authedAt = nowUs();
    if (reconnectWatch) reconnectWatch.authTimes.push(client.authedAt);
  });
  socket.on('notification:unread_count', () => {
    if (client.authedAt > client.resyncedAt) client.resyncedAt = nowUs();
  });
  socket.on('xp:gained', (payload) => onMeasuredEvent(client, 'xp:gained', payload));
  socket.on('notification:new', (payload) => {
    onMeasuredEvent(client, 'notification:new', payload);
    const id = payload?.notification?.id;
    if (receipts && typeof id === 'string') receiptsOf(client).add(id);
  });
  socket.on('disconnect', (reason) => {
    // A server that closes sockets on shutdown may say "io server disconnect", after which
    // socket.io-client does not retry by itself; a real client app reconnects, so do we.
    if (reason === 'io server disconnect' && socket.io.opts.reconnection) {
      setTimeout(() => socket.connect(), 500 + Math.random() * 1000);
    }
  });
}

function receiptsOf(client) {
  if (client.receipts) return client.receipts;
  const { options, stats } = receipts;
  client.receipts = new ReceiptBatcher(
    async (notificationIds) => {
      const ack = await client.socket
        .timeout(options.ackTimeoutMs)
        .emitWithAck('notification:received', { notificationIds });
      return ack?.ok === true;
    },
    options,
    stats,
  );
  return client.receipts;
}

/**
 * Turns receipts on or off for every socket of this worker. Turning them off waits for the
 * messages in flight and answers what was sent while they were on.
 */
async function setReceipts({ enabled, intervalMs, maxIds, ackTimeoutMs }) {
  if (enabled) {
    receipts = {
      options: {
        intervalMs: intervalMs ?? RECEIPT_DEFAULTS.intervalMs,
        maxIds: maxIds ?? RECEIPT_DEFAULTS.maxIds,
        ackTimeoutMs: ackTimeoutMs ?? RECEIPT_DEFAULTS.ackTimeoutMs,
      },
      stats: { messages: 0, ids: 0, unacknowledged: 0 },
    };
    return { ...receipts.stats };
  }
  const stats = receipts?.stats ?? { messages: 0, ids: 0, unacknowledged: 0 };
  receipts = null;
  const batchers = clients.map((client) => client.receipts).filter(Boolean);
  for (const client of clients) client.receipts = undefined;
  // Nothing new leaves once disposed; the messages already sent still count when answered.
  for (const batcher of batchers) batcher.dispose();
  await Promise.all(batchers.map((batcher) => batcher.settled()));
  return { ...stats };
}

/** Opens sockets with at most `concurrency` handshakes in flight; resolves with timings. */
async function connect({
  url,
  path,
  userIds,
  secret,
  concurrency,
  reconnection,
  timeoutMs,
  deadline,
}) {
  const tokens = await mintTokens(userIds, secret);
  const handshakeMs = [];
  const failures = {};
  /** The clients this call connected: done when each also has its unread count. */
  const opened = [];
  let next = 0;
  const started = nowUs();
  const openOne = (userId) =>
    new Promise((resolve) => {
      const t0 = nowUs();
      const socket = io(url, {
        path,
        transports: ['websocket'],
        forceNew: true,
        reconnection,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 5000,
        timeout: timeoutMs,
        auth: { token: tokens.get(userId) },
      });
      const client = {
        socket,
        userId,
        authedAt: 0,
        resyncedAt: 0,
        got: new Map(),
        gotBroadcast: new Set(),
      };
      attach(client);
      const timer = setTimeout(() => done(`timeout after ${timeoutMs} ms`), timeoutMs);
      const onError = (error) => done(error?.data?.code ?? error?.message ?? 'connect_error');
      function done(failure) {
        clearTimeout(timer);
        socket.off('authenticated', onAuth);
        socket.off('connect_error', onError);
        if (failure) {
          failures[failure] = (failures[failure] ?? 0) + 1;
          socket.close();
        } else {
          handshakeMs.push((nowUs() - t0) / 1000);
          clients.push(client);
          opened.push(client);
        }
        resolve();
      }
      function onAuth() {
        done();
      }
      socket.once('authenticated', onAuth);
      socket.once('connect_error', onError);
    });
  const lanes = Array.from({ length: Math.max(1, concurrency) }, async () => {
    // `deadline` (epoch ms) bounds a capacity pass on a machine too busy to finish it.
    while (next < userIds.length && !(deadline && Date.now() > deadline))
      await openOne(userIds[next++]);
  });
  await Promise.all(lanes);
  const lanesDoneUs = nowUs();
  // A socket is connected when it has what every client gets on connect: `authenticated`
  // and its unread count. A server that sends the count later than `authenticated` (Herald
  // reads it from its inbox) finishes its storm when the last count arrives, so the work
  // of the storm's last counts is inside the storm's time and CPU reading.
  const countsMissing = await untilCounted(opened, timeoutMs);
  const lastCountUs = Math.max(0, ...opened.map((client) => client.resyncedAt));
  return {
    handshakeMs,
    failures,
    countsMissing,
    elapsedMs: (nowUs() - started) / 1000,
    startedUs: started,
    lanesDoneUs,
    endedUs: Math.max(lanesDoneUs, lastCountUs),
  };
}

/** Waits until each client heard its unread count after `authenticated`; how many did not. */
async function untilCounted(opened, timeoutMs) {
  const missing = () =>
    opened.filter((client) => client.authedAt === 0 || client.resyncedAt < client.authedAt).length;
  for (const deadline = Date.now() + timeoutMs; missing() > 0 && Date.now() < deadline;)
    await new Promise((resolve) => setTimeout(resolve, 2));
  return missing();
}

function close(client) {
  client.receipts?.dispose();
  client.socket.io.opts.reconnection = false;
  client.socket.close();
}

function closeAll() {
  for (const client of clients) close(client);
  const closed = clients.length;
  clients = [];
  return { closed };
}

/** Closes the sockets of the user ids starting with `prefix`; keeps the others open. */
function closeUsers({ prefix }) {
  const [closing, keeping] = [[], []];
  for (const client of clients) (client.userId.startsWith(prefix) ? closing : keeping).push(client);
  for (const client of closing) close(client);
  clients = keeping;
  return { closed: closing.length };
}

/** Compares what arrived with what the coordinator published: seqs per user id. */
function collect({ expected }) {
  const expectedByUser = new Map(Object.entries(expected));
  let lost = 0;
  let unexpected = 0;
  for (const client of clients) {
    const seqs = expectedByUser.get(client.userId) ?? [];
    const wanted = new Set(seqs);
    for (const seq of seqs) if (!client.got.has(seq)) lost += 1;
    for (const seq of client.got.keys()) if (!wanted.has(seq)) unexpected += 1;
  }
  const result = {
    latenciesUs: tracking?.latenciesUs ?? [],
    received: tracking?.received ?? 0,
    duplicates: tracking?.duplicates ?? 0,
    lost,
    unexpected,
    deliveries: tracking?.deliveries ?? undefined,
    broadcast: tracking?.broadcast ?? undefined,
    eventLoopDelayMaxMs: lag ? lag.max / 1e6 : undefined,
  };
  lag?.disable();
  lag = null;
  tracking = null;
  for (const client of clients) {
    client.got.clear();
    client.gotBroadcast.clear();
  }
  return result;
}

const commands = {
  connect,
  closeAll,
  closeUsers,
  collect,
  receipts: setReceipts,
  /** Starts a measurement; `withBroadcast` also times broadcasts and keeps them apart. */
  track({ event, withBroadcast = false }) {
    tracking = { event, latenciesUs: [], received: 0, duplicates: 0 };
    lag?.disable();
    lag = null;
    if (withBroadcast) {
      tracking.deliveries = [];
      tracking.broadcast = { received: 0, duplicates: 0, bySeq: {} };
      lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
    }
    for (const client of clients) {
      client.got.clear();
      client.gotBroadcast.clear();
    }
    return {};
  },
  progress() {
    return {
      received: tracking?.received ?? 0,
      broadcastReceived: tracking?.broadcast?.received ?? 0,
    };
  },
  status() {
    let connected = 0;
    let resynced = 0;
    for (const client of clients) {
      if (client.socket.connected) connected += 1;
      if (
        reconnectWatch &&
        client.authedAt >= reconnectWatch.since &&
        client.resyncedAt >= client.authedAt
      )
        resynced += 1;
    }
    return { total: clients.length, connected, resynced };
  },
  watchReconnect() {
    reconnectWatch = { since: nowUs(), authTimes: [] };
    return { since: reconnectWatch.since };
  },
  reconnectTimes() {
    const times = reconnectWatch?.authTimes ?? [];
    reconnectWatch = null;
    return { authTimes: times };
  },
};

process.on('message', async (message) => {
  const { id, cmd, args } = message;
  try {
    const result = await commands[cmd](args ?? {});
    process.send({ id, ok: true, result });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
