// The load driver's scenarios. The same code drives every target; the server under test
// is only ever reached through its public contract (Socket.IO handshake + HTTP endpoints).
import { broadcastWindows, splitByWindows } from './broadcast-window.mjs';
import { Publisher } from './publisher.mjs';
import { busiestOtherThreadMs, cpuMsOf, measureMemory, sleep, threadCpuMsOf } from './servers.mjs';
import { round, summarize } from './stats.mjs';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const ms = (values) => values.map((v) => v / 1000);

/** Held = every delivery arrived, none twice, p99 under this, and no HTTP error. */
export const P99_LIMIT_MS = 100;

export class Driver {
  /**
   * @param {import('./workers.mjs').WorkerPool} pool
   * @param {{ secret: string, apiKey: string, wsPath?: string, log?: (line: string) => void, observer?: number }} options
   *   `observer`: the index of a worker kept apart for the sockets a scenario observes while
   *   the others carry the load (`connect`'s `observed`); no other socket goes there.
   */
  constructor(
    pool,
    { secret, apiKey, wsPath = '/socket.io/', log = (line) => void line, observer },
  ) {
    this.pool = pool;
    this.observer = observer;
    this.secret = secret;
    this.wsPath = wsPath;
    this.publisher = new Publisher(apiKey);
    // Overload steps publish over more connections than the server admits at once
    // (PUBLISH_MAX_IN_FLIGHT, 64), as a fleet of backends would: the excess must be refused.
    this.fleetPublisher = new Publisher(apiKey, 256);
    this.log = log;
    this.seq = 1;
  }

  /**
   * Connects one socket per entry of `userIds`: the first `observed` in the observer worker
   * (so that the latency measured on them is not queued behind the events of thousands of
   * other sockets in the same client process), the rest round-robin over the other workers.
   */
  async connect(
    url,
    userIds,
    { concurrency = 200, reconnection = false, timeoutMs = 20_000, deadline, observed = 0 } = {},
  ) {
    if (observed && this.observer === undefined) throw new Error('no observer worker');
    const shares = this.pool.workers.map(() => []);
    const load = this.pool.workers.map((_, i) => i).filter((i) => i !== this.observer);
    userIds.forEach((id, i) =>
      shares[i < observed ? this.observer : load[(i - observed) % load.length]].push(id),
    );
    const perWorker = Math.max(1, Math.floor(concurrency / shares.filter((s) => s.length).length));
    const started = nowUs();
    const results = await this.pool.all(
      'connect',
      (i) => ({
        url,
        path: this.wsPath,
        userIds: shares[i],
        secret: this.secret,
        concurrency: perWorker,
        reconnection,
        timeoutMs,
        deadline,
      }),
      (deadline ? Math.max(0, deadline - Date.now()) : 600_000) + timeoutMs * 4,
    );
    const wallMs = (nowUs() - started) / 1000;
    const handshakeMs = results.flatMap((r) => r.handshakeMs);
    const failures = {};
    for (const r of results)
      for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    const countsMissing = results.reduce((sum, r) => sum + (r.countsMissing ?? 0), 0);
    if (countsMissing > 0) failures['no unread count'] = countsMissing;
    // Connections/s over the storm itself (first handshake start to last answer), not token minting.
    const stormMs =
      (Math.max(...results.map((r) => r.endedUs)) - Math.min(...results.map((r) => r.startedUs))) /
      1000;
    // How long the storm's last unread counts came after its last `authenticated`.
    const countTailMs =
      (Math.max(...results.map((r) => r.endedUs)) -
        Math.max(...results.map((r) => r.lanesDoneUs))) /
      1000;
    return { handshakeMs, failures, connected: handshakeMs.length, wallMs, stormMs, countTailMs };
  }

  closeAll() {
    return this.pool.all('closeAll');
  }

  /** Closes the sockets of the user ids starting with `prefix`, keeping every other one. */
  async closeUsers(prefix) {
    const parts = await this.pool.all('closeUsers', () => ({ prefix }));
    return parts.reduce((sum, p) => sum + p.closed, 0);
  }

  /**
   * Makes every connected socket confirm the `notification:new` it receives with
   * `notification:received`, batched as the client library does (at most one message per
   * 250 ms per socket, up to 100 ids, acknowledged), or stops it. Stopping answers what was
   * sent meanwhile, summed over the workers.
   */
  async setReceipts(enabled) {
    const parts = await this.pool.all('receipts', () => ({ enabled }));
    return parts.reduce(
      (sum, p) => ({
        messages: sum.messages + p.messages,
        ids: sum.ids + p.ids,
        unacknowledged: sum.unacknowledged + p.unacknowledged,
      }),
      { messages: 0, ids: 0, unacknowledged: 0 },
    );
  }

  /** `findHeldRate` in 'stored' mode with every socket sending delivery receipts. */
  async findHeldRateWithReceipts(search) {
    await this.setReceipts(true);
    let result;
    try {
      result = await this.findHeldRate({ label: 'stored+receipts', ...search, mode: 'stored' });
    } finally {
      const receipts = await this.setReceipts(false);
      if (result) result.receipts = receipts;
    }
    return result;
  }

  /** 1 + 2: connect storm of N sockets (one user each) and the idle memory they cost. */
  async connectStorm(
    server,
    n,
    {
      concurrency = 200,
      label = 's',
      reconnection = false,
      deadline,
      observed = 0,
      wrap = (fn) => fn(),
      // Sockets connected and closed before the "before" memory reading, so that what every
      // first connection creates once (compiled code, lazily built singletons) is not
      // charged to the idle sockets. The cold figure is kept beside it.
      warmup = Math.min(50, Math.ceil(n / 10)),
      // false: no memory readings, so no collections forced through the inspector around the
      // storm (a memory-reducing full GC right before it makes the storm's own incremental
      // marking start early, over the whole heap). The result then has no `memory`.
      memory = true,
    } = {},
  ) {
    const cold = memory ? await measureMemory(server) : undefined;
    if (warmup > 0) {
      const warm = Array.from({ length: warmup }, (_, i) => `${label}-warmup-${i}`);
      await this.connect(server.url, warm, { concurrency: Math.min(concurrency, warmup) });
      await this.closeUsers(`${label}-warmup-`);
      await sleep(500);
    }
    const before = warmup > 0 && memory ? await measureMemory(server) : cold;
    const cpuBefore = cpuMsOf(server.pid);
    const threadsBefore = threadCpuMsOf(server.pid);
    const userIds = Array.from({ length: n }, (_, i) => `${label}-${i}`);
    const result = await wrap(() =>
      this.connect(server.url, userIds, { concurrency, reconnection, deadline, observed }),
    );
    const serverCpuMs = cpuMsOf(server.pid) - cpuBefore;
    const threadsAfter = threadCpuMsOf(server.pid);
    const after = memory ? (await sleep(1_000), await measureMemory(server)) : undefined;
    const failed = Object.values(result.failures).reduce((a, b) => a + b, 0);
    const hs = summarize(result.handshakeMs);
    return {
      n,
      connected: result.connected,
      failed,
      failures: result.failures,
      connectionsPerSec: round(result.connected / (result.stormMs / 1000), 1),
      handshakeP50Ms: round(hs.p50),
      handshakeP99Ms: round(hs.p99),
      stormMs: round(result.stormMs, 0),
      countTailMs: round(result.countTailMs, 1),
      serverCpuMsPerHandshake: result.connected ? round(serverCpuMs / result.connected, 3) : null,
      // The same CPU split between the main thread (sockets, the handshake's JavaScript) and
      // the others (V8's compilers and GC helpers, the embedded database's thread).
      serverCpu:
        result.connected && threadsBefore && threadsAfter
          ? {
              mainMsPerHandshake: round(
                (threadsAfter.main - threadsBefore.main) / result.connected,
                3,
              ),
              otherThreadsMsPerHandshake: round(
                (threadsAfter.other - threadsBefore.other) / result.connected,
                3,
              ),
              busiestOtherMsPerHandshake: round(
                busiestOtherThreadMs(threadsBefore, threadsAfter, server.pid) / result.connected,
                3,
              ),
            }
          : null,
      memory: memory
        ? {
            before,
            after,
            rssPerSocketKb: round(
              (after.rss - before.rss) / 1024 / Math.max(1, result.connected),
              2,
            ),
            heapPerSocketKb: round(
              (after.heapUsed - before.heapUsed) / 1024 / Math.max(1, result.connected),
              2,
            ),
            // The heap without its code spaces: what the sockets hold, not the code compiled
            // while they connected (the floor's figure; `heapPerSocketKb` includes both).
            heapDataPerSocketKb:
              before.heapCode === undefined || after.heapCode === undefined
                ? undefined
                : round(
                    (after.heapUsed - after.heapCode - (before.heapUsed - before.heapCode)) /
                      1024 /
                      Math.max(1, result.connected),
                    2,
                  ),
            coldHeapPerSocketKb: round(
              (after.heapUsed - cold.heapUsed) / 1024 / Math.max(1, result.connected),
              2,
            ),
            warmupSockets: warmup,
          }
        : undefined,
    };
  }

  /**
   * Waits until the workers saw `expected` receipts (and `expectedBroadcast` broadcast
   * receipts, when broadcasts are tracked apart), or `graceMs` passed.
   */
  async waitForReceipts(expected, graceMs, expectedBroadcast = 0) {
    const deadline = Date.now() + graceMs;
    for (;;) {
      const progress = await this.pool.all('progress');
      const received = progress.reduce((a, p) => a + p.received, 0);
      const broadcast = progress.reduce((a, p) => a + p.broadcastReceived, 0);
      if ((received >= expected && broadcast >= expectedBroadcast) || Date.now() > deadline)
        return received;
      await sleep(50);
    }
  }

  /** 4: broadcast to every connected socket; time until the last one has it. */
  async broadcast(server, socketCount, repeats = 5) {
    const times = [];
    let lost = 0;
    for (let r = 0; r < repeats; r += 1) {
      await this.pool.all('track', () => ({ event: 'xp:gained' }));
      const seq = this.seq++;
      let status;
      // A process still saturated by the storm before may refuse it (503 OVERLOADED): a
      // publisher then waits Retry-After and sends it again, stamped anew.
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const t0 = nowUs();
        ({ status } = await this.publisher.post(`${server.url}/api/realtime/broadcast`, {
          event: 'xp:gained',
          payload: { amount: seq, source: `b:${seq}:${t0}`, totalXp: seq },
        }));
        if (status !== 503) break;
        await sleep(1_000);
      }
      if (status < 200 || status >= 300) throw new Error(`broadcast answered HTTP ${status}`);
      await this.waitForReceipts(socketCount, 15_000);
      const parts = await this.pool.all('collect', () => ({ expected: {} }));
      const latencies = parts.flatMap((p) => p.latenciesUs);
      lost += socketCount - latencies.length;
      times.push(Math.max(...latencies) / 1000);
      await sleep(200);
    }
    const sorted = [...times].sort((a, b) => a - b);
    return {
      timeToLastMs: round(sorted[sorted.length >> 1]),
      samplesMs: times.map((t) => round(t)),
      lost,
    };
  }

  /** 5: restart the server under its clients; how fast they all come back and resync. */
  async reconnectStorm(server, restart, socketCount, timeoutMs = 90_000) {
    await this.pool.all('watchReconnect');
    const stopped = nowUs();
    await server.stop();
    const next = await restart();
    const ready = nowUs();
    let status;
    for (;;) {
      const parts = await this.pool.all('status');
      status = parts.reduce(
        (a, p) => ({ connected: a.connected + p.connected, resynced: a.resynced + p.resynced }),
        {
          connected: 0,
          resynced: 0,
        },
      );
      if (status.resynced >= socketCount || (nowUs() - ready) / 1000 > timeoutMs) break;
      await sleep(100);
    }
    const allBack = nowUs();
    const authTimes = (await this.pool.all('reconnectTimes'))
      .flatMap((p) => p.authTimes)
      .sort((a, b) => a - b);
    // Peak handshakes the server completed in any 1-second window.
    let peak = 0;
    for (let i = 0, j = 0; i < authTimes.length; i += 1) {
      while (authTimes[i] - authTimes[j] >= 1e6) j += 1;
      peak = Math.max(peak, i - j + 1);
    }
    return {
      server: next,
      result: {
        restartMs: round((ready - stopped) / 1000, 0),
        allBackAfterReadyMs: round((allBack - ready) / 1000, 0),
        allBackAfterStopMs: round((allBack - stopped) / 1000, 0),
        resynced: status.resynced,
        missing: socketCount - status.resynced,
        peakHandshakesPerSec: peak,
      },
    };
  }

  /** Users × devices for the fan-out scenarios, devices of one user on different workers. */
  fanoutUserIds(users, devices, label = 'f') {
    const ids = [];
    for (let d = 0; d < devices; d += 1)
      for (let u = 0; u < users; u += 1) ids.push(`${label}-${u}`);
    return ids;
  }

  /**
   * 3: one fan-out step at a fixed publish rate. `mode` is 'typed' (service typed-event
   * endpoint, `xp:gained`) or 'stored' (POST /api/notifications, `notification:new`).
   */
  async fanoutStep({
    publishUrl,
    mode,
    rate,
    users,
    devices,
    durationMs,
    graceMs = 3_000,
    quiet = false,
    label = mode,
    serverPid,
    // The users published to are `${userPrefix}-0` … `${userPrefix}-${users - 1}`.
    userPrefix = 'f',
    // Overload: a refusal (503 + Retry-After) is an answer, not an error; what was accepted
    // must still arrive, once, in time.
    refusalsAllowed = false,
  }) {
    const event = mode === 'typed' ? 'xp:gained' : 'notification:new';
    await this.pool.all('track', () => ({ event }));
    const firstSeq = this.seq;
    const userOf = (seq) => `${userPrefix}-${seq % users}`;
    const build =
      mode === 'typed'
        ? typedPublish(publishUrl, userOf)
        : (seq, t0) => ({
            url: `${publishUrl}/api/notifications`,
            body: {
              userId: userOf(seq),
              title: `bench ${seq}`,
              message: 'benchmark notification',
              type: 'bench',
              data: { seq, t: t0 },
            },
          });
    const cpuBefore = serverPid ? cpuMsOf(serverPid) : null;
    const publisher = refusalsAllowed ? this.fleetPublisher : this.publisher;
    const run = await publisher.run({ rate, durationMs, firstSeq, build });
    this.seq = firstSeq + run.sent.length;
    const delivered = refusalsAllowed ? run.accepted : run.sent;
    const expectedTotal = delivered.length * devices;
    await this.waitForReceipts(expectedTotal, graceMs);
    const serverCpuMs = cpuBefore === null ? null : cpuMsOf(serverPid) - cpuBefore;
    const expected = {};
    for (const seq of delivered) (expected[userOf(seq)] ??= []).push(seq);
    const parts = await this.pool.all('collect', () => ({ expected }));
    const latencies = ms(parts.flatMap((p) => p.latenciesUs));
    const lat = summarize(latencies);
    const lost = parts.reduce((a, p) => a + p.lost, 0);
    const duplicates = parts.reduce((a, p) => a + p.duplicates, 0);
    const refused = refusalsAllowed ? (run.statuses[503] ?? 0) : 0;
    const httpErrors =
      Object.entries(run.statuses)
        .filter(([s]) => !(Number(s) >= 200 && Number(s) < 300))
        .reduce((a, [, n]) => a + n, 0) - refused;
    const held =
      !run.aborted &&
      lost === 0 &&
      duplicates === 0 &&
      httpErrors === 0 &&
      lat.p99 !== null &&
      lat.p99 < P99_LIMIT_MS;
    const step = {
      rate,
      users,
      devices,
      published: run.sent.length,
      deliveries: expectedTotal,
      p50Ms: round(lat.p50),
      p95Ms: round(lat.p95),
      p99Ms: round(lat.p99),
      maxMs: round(lat.max),
      lost,
      duplicates,
      httpErrors,
      accepted: run.accepted.length,
      refused,
      statuses: run.statuses,
      aborted: run.aborted,
      serverCpuMsPerPublish: serverCpuMs === null ? null : round(serverCpuMs / run.sent.length, 3),
      achievedRate: round(run.sent.length / (Math.max(run.publishSpanMs, 1) / 1000), 0),
      held,
    };
    if (!quiet)
      this.log(
        `    ${label} ${rate}/s: ${refusalsAllowed ? `accepted ${step.accepted}, refused ${refused}, ` : ''}p50 ${step.p50Ms} p99 ${step.p99Ms} max ${step.maxMs} ms, lost ${lost}, dup ${duplicates}, http errors ${httpErrors}${run.aborted ? `, ${run.aborted}` : ''} → ${held ? 'held' : 'NOT held'}`,
      );
    return step;
  }

  /**
   * 7: no stall while a broadcast goes out. A typed per-user fan-out at `rate` for
   * (`broadcasts` + 1) × `gapMs`, with a broadcast to every connected socket (`sockets`) every
   * `gapMs` from the first `gapMs` on. Reports the per-user deliveries in flight while a
   * broadcast went out (from its POST to its last socket) apart from the rest, beside `quiet`:
   * the same step without broadcasts (run first unless given).
   */
  async fanoutDuringBroadcasts({
    publishUrl,
    rate,
    users,
    devices,
    userPrefix = 'f',
    sockets,
    broadcasts = 3,
    gapMs = 1_000,
    graceMs = 15_000,
    quiet,
    label = 'per-user during broadcasts',
  }) {
    const durationMs = (broadcasts + 1) * gapMs;
    quiet ??= await this.fanoutStep({
      publishUrl,
      mode: 'typed',
      rate,
      users,
      devices,
      userPrefix,
      durationMs,
      label: 'per-user, no broadcast',
    });
    await this.pool.all('track', () => ({ event: 'xp:gained', withBroadcast: true }));
    const firstSeq = this.seq;
    const total = Math.max(1, Math.round((rate * durationMs) / 1000));
    // Broadcast seqs come after every per-user seq the publisher may use.
    this.seq = firstSeq + total + broadcasts;
    const userOf = (seq) => `${userPrefix}-${seq % users}`;
    const running = this.publisher.run({
      rate,
      durationMs,
      firstSeq,
      build: typedPublish(publishUrl, userOf),
    });
    const sent = [];
    const posts = Array.from({ length: broadcasts }, async (_, i) => {
      await sleep(gapMs * (i + 1));
      const seq = firstSeq + total + i;
      const sentUs = nowUs();
      const { status } = await this.publisher.post(`${publishUrl}/api/realtime/broadcast`, {
        event: 'xp:gained',
        payload: { amount: seq, source: `b:${seq}:${sentUs}`, totalXp: seq },
      });
      sent.push({ seq, sentUs, status });
    });
    const [run] = await Promise.all([running, ...posts]);
    this.seq = Math.max(this.seq, firstSeq + run.sent.length);
    const delivered = sent.filter((b) => b.status >= 200 && b.status < 300);
    await this.waitForReceipts(run.sent.length * devices, graceMs, delivered.length * sockets);
    const expected = {};
    for (const seq of run.sent) (expected[userOf(seq)] ??= []).push(seq);
    const parts = await this.pool.all('collect', () => ({ expected }));

    const bySeq = {};
    for (const part of parts)
      for (const [seq, one] of Object.entries(part.broadcast?.bySeq ?? {})) {
        const sum = (bySeq[seq] ??= { received: 0, maxUs: 0 });
        sum.received += one.received;
        sum.maxUs = Math.max(sum.maxUs, one.maxUs);
      }
    const timed = sent
      .sort((a, b) => a.seq - b.seq)
      .map((b) => ({
        ...b,
        received: bySeq[b.seq]?.received ?? 0,
        timeToLastUs: bySeq[b.seq] ? bySeq[b.seq].maxUs : null,
      }));
    const deliveries = parts.flatMap((p) => p.deliveries ?? []);
    const split = splitByWindows(deliveries, broadcastWindows(timed));
    const figures = (latencies) => {
      const lat = summarize(latencies);
      return {
        deliveries: latencies.length,
        p50Ms: round(lat.p50),
        p99Ms: round(lat.p99),
        maxMs: round(lat.max),
      };
    };
    const lost = parts.reduce((a, p) => a + p.lost, 0);
    const duplicates = parts.reduce((a, p) => a + p.duplicates, 0);
    const httpErrors = Object.entries(run.statuses)
      .filter(([s]) => !(Number(s) >= 200 && Number(s) < 300))
      .reduce((a, [, n]) => a + n, 0);
    const times = timed.filter((b) => b.timeToLastUs !== null).map((b) => b.timeToLastUs / 1000);
    const sortedTimes = [...times].sort((a, b) => a - b);
    // Client-side queueing: the event-loop delay of the worker(s) holding the observed sockets.
    const observers = this.observer === undefined ? parts : [parts[this.observer]];
    const clientLag = observers.map((p) => p.eventLoopDelayMaxMs).filter((v) => v !== undefined);
    const result = {
      rate,
      users,
      devices,
      sockets,
      broadcasts,
      gapMs,
      published: run.sent.length,
      ...figures(ms(parts.flatMap((p) => p.latenciesUs))),
      during: figures(split.during),
      outside: figures(split.outside),
      lost,
      duplicates,
      httpErrors,
      aborted: run.aborted,
      clientEventLoopDelayMaxMs: clientLag.length ? round(Math.max(...clientLag)) : null,
      quiet,
      broadcast: {
        timeToLastMs: sortedTimes.length ? round(sortedTimes[sortedTimes.length >> 1]) : null,
        samplesMs: times.map((t) => round(t)),
        lost: broadcasts * sockets - timed.reduce((a, b) => a + b.received, 0),
        duplicates: parts.reduce((a, p) => a + (p.broadcast?.duplicates ?? 0), 0),
        httpErrors: broadcasts - delivered.length,
      },
    };
    this.log(
      `    ${label} ${rate}/s, ${broadcasts} broadcasts to ${sockets} sockets (last socket after ${result.broadcast.samplesMs.join(' / ')} ms): during them p99 ${result.during.p99Ms} max ${result.during.maxMs} ms over ${result.during.deliveries} deliveries; outside p99 ${result.outside.p99Ms} max ${result.outside.maxMs} ms; without broadcasts p99 ${quiet.p99Ms} max ${quiet.maxMs} ms; lost ${lost}, dup ${duplicates}, http errors ${httpErrors}, broadcasts lost ${result.broadcast.lost}; observing client's event-loop delay max ${result.clientEventLoopDelayMaxMs} ms${run.aborted ? `, ${run.aborted}` : ''}`,
    );
    return result;
  }

  /**
   * One search step; a step that is not held is run once more, so that a burst of other work
   * on this shared machine does not end the search early. Both runs are recorded.
   */
  async heldStep({ retry = true, ...step }, steps) {
    const first = await this.fanoutStep(step);
    steps.push(first);
    if (first.held || !retry) return first;
    const second = await this.fanoutStep(step);
    second.retry = true;
    steps.push(second);
    return second;
  }

  /**
   * Step-up search: doubles the rate from `startRate` until a step is not held (or
   * `maxRate`), or halves it while even `startRate` is not held (down to `minRate`), then
   * bisects `refine` times between the highest held and the lowest failed rate.
   */
  async findHeldRate({ startRate, maxRate, minRate = 10, refine = 2, ...step }) {
    const steps = [];
    let good = 0;
    let bad = null;
    // Warm-up (JIT, connection pools, caches): not recorded.
    await this.fanoutStep({
      ...step,
      rate: startRate,
      durationMs: Math.min(step.durationMs, 1_000),
      quiet: true,
    });
    for (let rate = startRate; rate <= maxRate; rate *= 2) {
      const s = await this.heldStep({ ...step, rate }, steps);
      if (s.held) good = rate;
      else {
        bad = rate;
        break;
      }
    }
    // Not even the first rate held: halve down to `minRate` to find one that does.
    for (
      let rate = Math.floor(startRate / 2);
      good === 0 && rate >= minRate;
      rate = Math.floor(rate / 2)
    ) {
      const s = await this.heldStep({ ...step, rate }, steps);
      if (s.held) good = rate;
      else bad = rate;
    }
    if (bad !== null && good > 0) {
      for (let i = 0; i < refine; i += 1) {
        const rate = Math.round((good + bad) / 2);
        if (rate === good || rate === bad) break;
        const s = await this.heldStep({ ...step, rate }, steps);
        if (s.held) good = rate;
        else bad = rate;
      }
    }
    return {
      startRate,
      heldRate: good,
      firstFailedRate: bad,
      steps: steps.sort((a, b) => a.rate - b.rate),
    };
  }

  close() {
    this.publisher.close();
    this.fleetPublisher.close();
  }
}

/** The typed per-user publish `seq` (service typed-event endpoint, `xp:gained`), stamped. */
function typedPublish(publishUrl, userOf) {
  return (seq, t0) => ({
    url: `${publishUrl}/api/realtime/users/${userOf(seq)}/events`,
    body: {
      event: 'xp:gained',
      payload: { amount: seq, source: `t:${seq}:${t0}`, totalXp: seq },
    },
  });
}
