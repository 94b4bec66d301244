// Turns a run into figures (median, min–max, ratio to the baseline of the same repeat or to
// the baseline measured beside Herald's), target checks, the JSON record, docs/benchmarks.md
// and the SVG chart.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LADDERS, latencyChart } from './chart.mjs';
import { besideBaseline } from './beside-baseline.mjs';
import { projectMemory } from './memory-projection.mjs';
import { ROOT } from './servers.mjs';
import { round, spread } from './stats.mjs';

/** The p99 of the step a search ended on (the highest rate held), if it held any. */
const p99AtHeld = (search) =>
  search?.heldRate
    ? search.steps.find((s) => s.rate === search.heldRate && s.held)?.p99Ms
    : undefined;

/**
 * Every figure the report shows. `get` reads one repeat's result; `vs` names the baseline
 * figure the ratio is taken against (default: the same figure); `of` instead names a figure
 * of the same target and repeat to divide by (a cost Herald pays against itself, such as
 * receipts); `beside` takes the ratio against the same measurement on a baseline server
 * right before and right after Herald's, where a run recorded them; `target` is the floor.
 */
export const METRICS = [
  {
    key: 'connect.rate',
    beside: true,
    label: 'connect storm: connections/s',
    unit: '/s',
    better: 'higher',
    get: (r) => r.connect?.connectionsPerSec,
    cpu: { key: 'connect.cpu', vs: 'connect.cpu' },
    target: { op: '>=', factor: 0.9 },
  },
  {
    key: 'connect.p50',
    label: 'handshake p50',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.connect?.handshakeP50Ms,
  },
  {
    key: 'connect.p99',
    label: 'handshake p99',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.connect?.handshakeP99Ms,
  },
  {
    key: 'connect.failed',
    label: 'connect failures',
    unit: '',
    better: 'lower',
    get: (r) => r.connect?.failed,
    noRatio: true,
  },
  {
    key: 'connect.cpu',
    beside: true,
    label: 'server CPU per handshake',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.connect?.serverCpuMsPerHandshake,
  },
  {
    key: 'connect.cpu.main',
    beside: true,
    label: '… of it on the main thread',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.connect?.serverCpu?.mainMsPerHandshake,
  },
  {
    key: 'connect.cpu.other',
    beside: true,
    label: '… on the other threads (V8 compilers and GC, the embedded database)',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.connect?.serverCpu?.otherThreadsMsPerHandshake,
  },
  {
    key: 'memory.rss',
    label: 'RSS per idle socket',
    unit: 'KB',
    better: 'lower',
    get: (r) => r.connect?.memory.rssPerSocketKb,
  },
  {
    key: 'memory.heap',
    label: 'JS heap per idle socket, code spaces included (after a warm-up of up to 50 sockets)',
    unit: 'KB',
    better: 'lower',
    get: (r) => r.connect?.memory.heapPerSocketKb,
  },
  {
    // Code compiled while the storm connected is paid once, not per socket (at 19,800
    // sockets it is a rounding error): the floor is read on what the sockets hold.
    key: 'memory.heapData',
    label: 'JS heap per idle socket, without the code spaces (after the same warm-up)',
    unit: 'KB',
    better: 'lower',
    get: (r) => r.connect?.memory.heapDataPerSocketKb,
    target: { op: '<=', factor: 1.0 },
  },
  {
    key: 'memory.heapCold',
    label: 'JS heap per idle socket, cold (the first storm also pays for compiled code)',
    unit: 'KB',
    better: 'lower',
    get: (r) => r.connect?.memory.coldHeapPerSocketKb,
  },
  {
    key: 'broadcast.last',
    beside: true,
    label: 'broadcast: time to last socket',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.broadcast?.timeToLastMs,
    target: { op: '<=', factor: 1.0 },
  },
  {
    key: 'stall.duringP99',
    label:
      'per-user typed events (200/s) in flight while a broadcast to every socket goes out: p99',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.perUserDuringBroadcast?.during.p99Ms,
  },
  {
    key: 'stall.duringMax',
    label: 'slowest per-user delivery (200/s) while a broadcast to every socket goes out',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.perUserDuringBroadcast?.during.maxMs,
    target: { op: '<', absolute: 100 },
  },
  {
    key: 'stall.quietP99',
    label: 'per-user typed events (200/s), the same sockets without a broadcast: p99',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.perUserDuringBroadcast?.quiet.p99Ms,
  },
  {
    key: 'stall.quietMax',
    label: 'per-user typed events (200/s), the same sockets without a broadcast: slowest delivery',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.perUserDuringBroadcast?.quiet.maxMs,
  },
  {
    key: 'stall.lost',
    label: 'per-user events and broadcasts lost + duplicated (with and without broadcasts)',
    unit: '',
    better: 'lower',
    get: (r) => {
      const s = r.perUserDuringBroadcast;
      return s
        ? s.lost +
            s.duplicates +
            s.quiet.lost +
            s.quiet.duplicates +
            s.broadcast.lost +
            s.broadcast.duplicates
        : undefined;
    },
    noRatio: true,
  },
  {
    key: 'stall.broadcastLast',
    label: 'broadcast during per-user traffic: time to last socket',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.perUserDuringBroadcast?.broadcast.timeToLastMs ?? undefined,
  },
  {
    key: 'reconnect.restart',
    label: 'reconnect: server restart (stop → healthy)',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.reconnect?.restartMs,
  },
  {
    key: 'reconnect.allBack',
    label: 'reconnect: all clients back and resynced after healthy',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.reconnect?.allBackAfterReadyMs,
  },
  {
    key: 'reconnect.peak',
    label: 'reconnect: peak handshakes/s',
    unit: '/s',
    better: 'higher',
    get: (r) => r.reconnect?.peakHandshakesPerSec,
  },
  {
    key: 'reconnect.missing',
    label: 'reconnect: clients not back',
    unit: '',
    better: 'lower',
    get: (r) => r.reconnect?.missing,
    noRatio: true,
  },
  {
    key: 'typed.held',
    label: 'typed fan-out: highest rate held (p99 < 100 ms, no loss)',
    unit: 'publishes/s',
    better: 'higher',
    get: (r) => r.typed?.heldRate,
    cpu: { key: 'typed.cpu', vs: 'typed.cpu' },
    target: { op: '>=', factor: 0.8 },
  },
  {
    key: 'typed.halfP50',
    label: "typed fan-out p50 at half the baseline's held rate",
    unit: 'ms',
    better: 'lower',
    get: (r) => r.typedAtHalf?.p50Ms,
  },
  {
    key: 'typed.halfP99',
    label: "typed fan-out p99 at half the baseline's held rate",
    unit: 'ms',
    better: 'lower',
    get: (r) => r.typedAtHalf?.p99Ms,
  },
  {
    key: 'typed.halfMax',
    label: "typed fan-out max at half the baseline's held rate",
    unit: 'ms',
    better: 'lower',
    get: (r) => r.typedAtHalf?.maxMs,
  },
  {
    key: 'typed.halfLost',
    label: 'typed fan-out lost + duplicated at half rate',
    unit: '',
    better: 'lower',
    get: (r) => (r.typedAtHalf ? r.typedAtHalf.lost + r.typedAtHalf.duplicates : undefined),
    noRatio: true,
  },
  {
    key: 'typed.firstMax',
    label: 'typed fan-out: slowest delivery at the first step (200/s; 250/s in quick runs)',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.typed?.steps.find((s) => s.rate === r.typed.startRate)?.maxMs,
    target: { op: '<', absolute: 100 },
  },
  {
    key: 'typed.cpu',
    beside: true,
    label: "typed fan-out: server CPU per publish at half the baseline's held rate",
    unit: 'ms',
    better: 'lower',
    get: (r) => r.typedAtHalf?.serverCpuMsPerPublish ?? undefined,
  },
  {
    key: 'stored.cpu',
    label: 'stored notifications: server CPU per publish (median over the steps)',
    unit: 'ms',
    better: 'lower',
    get: (r) => spread((r.stored?.steps ?? []).map((s) => s.serverCpuMsPerPublish))?.median,
  },
  {
    key: 'stored.held',
    label: "stored notifications: highest rate held (vs the baseline's TYPED rate)",
    unit: 'publishes/s',
    better: 'higher',
    get: (r) => r.stored?.heldRate,
    vs: 'typed.held',
  },
  {
    key: 'stored.heldSame',
    label: "stored notifications: highest rate held (vs the baseline's no-storage equivalent)",
    unit: 'publishes/s',
    better: 'higher',
    get: (r) => r.stored?.heldRate,
    vs: 'stored.held',
    // The median CPU over the steps compares different rates (the baseline's ladder goes
    // further, and a batching server's cost per publish falls as the rate rises): the
    // estimate compares the two at one offered rate instead.
    cpu: {
      label: 'server CPU per publish at the highest rate both held',
      pair: (mine, theirs) => cpuAtCommonHeldRate(mine.stored, theirs.stored),
    },
    target: { op: '>=', factor: 0.4 },
  },
  {
    key: 'stored.heldP99',
    label: 'stored notifications: p99 at the highest rate held',
    unit: 'ms',
    better: 'lower',
    get: (r) => p99AtHeld(r.stored),
    noRatio: true,
  },
  {
    key: 'receipts.held',
    label:
      'stored notifications with delivery receipts: highest rate held (÷ the same target without receipts)',
    unit: 'publishes/s',
    better: 'higher',
    get: (r) => r.storedWithReceipts?.heldRate,
    of: 'stored.held',
  },
  {
    key: 'receipts.heldP99',
    label: 'stored notifications with delivery receipts: p99 at the highest rate held',
    unit: 'ms',
    better: 'lower',
    get: (r) => p99AtHeld(r.storedWithReceipts),
    noRatio: true,
  },
  {
    key: 'receipts.cpu',
    label:
      'stored notifications with delivery receipts: server CPU per publish, median over the steps (÷ the same without)',
    unit: 'ms',
    better: 'lower',
    get: (r) =>
      spread((r.storedWithReceipts?.steps ?? []).map((s) => s.serverCpuMsPerPublish))?.median,
    of: 'stored.cpu',
  },
  {
    key: 'cluster.sameP99',
    label: "Redis cluster: p99, clients and publisher on process A (at half of (a)'s held rate)",
    unit: 'ms',
    better: 'lower',
    get: (r) => r.sameProcess?.p99Ms,
    noRatio: true,
  },
  {
    key: 'cluster.crossP99',
    label: 'Redis cluster: p99, clients on A, published through B',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.crossProcess?.p99Ms,
    noRatio: true,
  },
  {
    key: 'cluster.crossP50',
    label: 'Redis cluster: p50, published through B',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.crossProcess?.p50Ms,
    noRatio: true,
  },
  {
    key: 'cluster.crossOverSame',
    label: 'Redis cluster: p99 through B ÷ p99 on A (cross-process cost)',
    unit: '×',
    better: 'lower',
    get: (r) =>
      r.crossProcess?.p99Ms && r.sameProcess?.p99Ms
        ? r.crossProcess.p99Ms / r.sameProcess.p99Ms
        : undefined,
    noRatio: true,
  },
  {
    key: 'cluster.crossHeld',
    label: 'Redis cluster: highest typed rate held through B',
    unit: 'publishes/s',
    better: 'higher',
    get: (r) => r.crossTyped?.heldRate,
    vs: 'typed.held',
  },
];

/**
 * Server CPU per publish of two searches at the highest rate both held, as [mine, theirs]:
 * the same offered load, so the ratio is what one publish costs each.
 */
function cpuAtCommonHeldRate(mine, theirs) {
  const heldAt = (search) =>
    new Map(
      (search?.steps ?? [])
        .filter((s) => s.held && typeof s.serverCpuMsPerPublish === 'number')
        .map((s) => [s.rate, s.serverCpuMsPerPublish]),
    );
  const a = heldAt(mine);
  const b = heldAt(theirs);
  const common = [...a.keys()].filter((rate) => b.has(rate));
  if (!common.length) return undefined;
  const rate = Math.max(...common);
  return [a.get(rate), b.get(rate)];
}

const METRIC = Object.fromEntries(METRICS.map((m) => [m.key, m]));

/**
 * The baseline's `base` figure one Herald repeat `r` is compared with: measured beside it when
 * `metric` asks for that and the repeat has it, else the baseline's repeat of the same number.
 */
function baselineFigure(metric, base, r, baseByRepeat) {
  const beside = metric.beside ? besideBaseline(r, base.get) : undefined;
  if (beside !== undefined) return beside;
  const b = baseByRepeat.get(r.repeat);
  return b && base.get(b);
}

function okRepeats(target) {
  return (target?.repeats ?? []).filter((r) => !r.error && !r.skipped);
}

/** Medians, min–max and per-repeat ratios to the baseline; the list of target checks. */
export function summarizeRun(run) {
  const baseline = run.targets.d;
  const baseByRepeat = new Map(okRepeats(baseline).map((r) => [r.repeat, r]));
  const figures = {};
  for (const [id, target] of Object.entries(run.targets)) {
    figures[id] = {};
    const repeats = okRepeats(target);
    for (const metric of METRICS) {
      const values = repeats.map(metric.get).filter((v) => typeof v === 'number');
      if (!values.length) continue;
      const base = METRIC[metric.of ?? metric.vs ?? metric.key];
      const theirsByRepeat = repeats.map((r) =>
        metric.of ? base.get(r) : baselineFigure(metric, base, r, baseByRepeat),
      );
      const ratios = metric.noRatio
        ? []
        : repeats
            .map((r, i) => {
              const mine = metric.get(r);
              const theirs = theirsByRepeat[i];
              return typeof mine === 'number' && typeof theirs === 'number' && theirs > 0
                ? mine / theirs
                : undefined;
            })
            .filter((v) => v !== undefined);
      figures[id][metric.key] = {
        ...spread(values),
        ratio: spread(ratios),
        // What the ratio was taken against, when that is not the baseline's own repeats.
        ...(id !== 'd' && metric.beside && repeats.some((r) => r.baselineBeside)
          ? { baseline: spread(theirsByRepeat) }
          : {}),
      };
    }
  }

  const checks = [];
  const check = (text, met) => checks.push({ text, met });
  const herald = Object.entries(run.targets).filter(
    ([id]) => run.meta.mode !== 'capacity' && (id === 'a' || id === 'b'),
  );
  for (const [id, target] of herald) {
    if (!okRepeats(target).length) {
      check(
        `${target.label}: no successful repeat (${target.repeats.map((r) => r.error ?? r.skipped).join('; ')})`,
        false,
      );
      continue;
    }
    for (const metric of METRICS.filter((m) => m.target?.absolute !== undefined)) {
      const value = figures[id][metric.key]?.median;
      check(
        `${target.label} — ${metric.label}: ${value === undefined ? 'not measured' : `${round(value)} ${metric.unit}`} (target ${metric.target.op} ${metric.target.absolute} ${metric.unit}; baseline ${figures.d[metric.key] ? `${round(figures.d[metric.key].median)} ${metric.unit}` : 'not measured'})`,
        value === undefined ? null : value < metric.target.absolute,
      );
    }
    for (const metric of METRICS.filter((m) => m.target?.factor !== undefined)) {
      const figure = figures[id][metric.key];
      const ratio = figure?.ratio?.median;
      const factor = metric.target.factor;
      const met =
        ratio === undefined ? null : metric.target.op === '>=' ? ratio >= factor : ratio <= factor;
      const vs = metric.vs ? ` of the baseline's ${METRIC[metric.vs].label.split(':')[0]}` : '';
      check(
        `${target.label} — ${metric.label}: ${ratio === undefined ? 'not measured' : `${round(ratio)}×${vs}`} (target ${metric.target.op} ${factor}×; ${round(figure?.median)} ${metric.unit} vs baseline ${figure?.baseline ? `${round(figure.baseline.median)}, measured beside it` : round(figures.d[metric.vs ?? metric.key]?.median)})`,
        met,
      );
      if (metric.cpu) {
        // Throughput on a busy shared machine mostly measures the scheduler; CPU time per
        // operation does not. A CPU-bound server's capacity scales with its inverse.
        const mine = METRIC[metric.cpu.key];
        const theirs = METRIC[metric.cpu.vs];
        const pair =
          metric.cpu.pair ??
          ((r, b) => [mine.get(r), baselineFigure(theirs, theirs, r, new Map([[r.repeat, b]]))]);
        const cpuLabel = metric.cpu.label ?? mine.label.replace(/^.*?: /, '');
        const ratios = okRepeats(target)
          .map((r) => {
            const b = baseByRepeat.get(r.repeat);
            const [m, t] = (b && pair(r, b)) ?? [];
            return typeof m === 'number' && typeof t === 'number' && m > 0 ? t / m : undefined;
          })
          .filter((v) => v !== undefined);
        const cpu = spread(ratios);
        if (cpu) {
          check(
            `${target.label} — same, estimated from server CPU time per operation (baseline's ÷ Herald's ${cpuLabel}): ${round(cpu.median)}× (${round(cpu.min)}–${round(cpu.max)}) (target ${metric.target.op} ${factor}×)`,
            metric.target.op === '>=' ? cpu.median >= factor : cpu.median <= factor,
          );
        }
      }
    }
  }
  for (const [id, target] of herald) {
    // Not one of issue #7's targets: what receipts cost, stated beside them (issue #14).
    const held = figures[id]['receipts.held'];
    if (!held) continue;
    const cpu = figures[id]['receipts.cpu'];
    check(
      `${target.label} — cost of delivery receipts: stored rate held with receipts ÷ without ${held.ratio ? `${round(held.ratio.median)}×` : 'not measured'} (${round(held.median)} vs ${round(figures[id]['stored.held']?.median)} publishes/s)${cpu?.ratio ? `; server CPU per publish with ÷ without ${round(cpu.ratio.median)}×` : ''}`,
      null,
    );
  }
  const cap = run.capacity?.a;
  if (Array.isArray(cap) && cap.length) {
    const last = cap[cap.length - 1];
    const limit = run.meta.config.fdLimit;
    const held = Math.min(last.connected, last.stillConnectedAfter5s);
    check(
      last.n >= 20_000
        ? `20,000 authenticated sockets on one Herald process: ${held} held`
        : `20,000 authenticated sockets on one Herald process: not testable here — every process is capped at ${limit} open files (hard RLIMIT_NOFILE); ${held} of ${last.n} (the cap minus headroom) held`,
      last.n >= 20_000 ? held >= 20_000 : held >= last.n ? null : false,
    );
  }
  checks.push(...capacityChecks(run));
  const cluster = run.targets.c;
  if (cluster) {
    const skipped = cluster.repeats.find((r) => r.skipped);
    if (skipped) check(`${cluster.label}: skipped — ${skipped.skipped}`, null);
  }
  return { figures, checks };
}

/** Sockets a deployment may need on one process; the capacity pass projects memory to it. */
export const PROJECTED_SOCKETS = 50_000;

/** The last capacity step of a target, when it ran. */
const lastCapacityStep = (run, id) => {
  const steps = run.capacity?.[id];
  return Array.isArray(steps) && steps.length ? steps[steps.length - 1] : undefined;
};

/**
 * Herald's capacity step under traffic: per-user delivery with every socket connected, the
 * same while broadcasts go out to all of them, and the memory projected to 50,000 sockets.
 */
function capacityChecks(run) {
  const checks = [];
  const mine = lastCapacityStep(run, 'a');
  if (!mine) return checks;
  const base = lastCapacityStep(run, 'd');
  const label = run.targets.a?.label ?? 'Herald';
  const sockets = mine.stillConnectedAfter5s;
  if (mine.trafficError)
    checks.push({
      text: `${label}, traffic with ${sockets} sockets: failed — ${mine.trafficError}`,
      met: false,
    });
  const perUser = mine.perUser;
  if (perUser) {
    const bad = perUser.lost + perUser.duplicates + perUser.httpErrors;
    checks.push({
      text: `${label} with ${sockets} sockets connected — per-user typed delivery at ${perUser.rate}/s over ${perUser.users ?? run.meta.config.capacityUsers} of their users: p99 ${fmt(perUser.p99Ms)} ms, max ${fmt(perUser.maxMs)} ms, ${bad} lost, duplicated or refused (target p99 < 100 ms, none lost; baseline p99 ${fmt(base?.perUser?.p99Ms)} ms)`,
      met: perUser.p99Ms !== null && perUser.p99Ms < 100 && bad === 0,
    });
  }
  const stall = mine.perUserDuringBroadcast;
  if (stall) {
    const baseStall = base?.perUserDuringBroadcast;
    checks.push({
      text: `${label} — slowest per-user delivery (${stall.rate}/s) while a broadcast to ${stall.sockets} sockets goes out: ${stall.during.maxMs === null ? 'not measured (no delivery in flight during a broadcast)' : `${fmt(stall.during.maxMs)} ms (p99 ${fmt(stall.during.p99Ms)} ms over ${stall.during.deliveries} deliveries)`}; broadcast to the last socket after ${fmt(stall.broadcast.timeToLastMs)} ms (target < 100 ms; baseline ${fmt(baseStall?.during.maxMs)} ms, its broadcast ${fmt(baseStall?.broadcast.timeToLastMs)} ms)`,
      met: stall.during.maxMs === null ? null : stall.during.maxMs < 100,
    });
  }
  const projection = projectMemory(mine.memory, mine.connected, PROJECTED_SOCKETS);
  if (projection) {
    const baseProjection = base && projectMemory(base.memory, base.connected, PROJECTED_SOCKETS);
    checks.push({
      text: `${label} — memory: ${fmt(projection.rssPerSocketKb)} KB RSS and ${fmt(projection.heapPerSocketKb)} KB JS heap per socket (${mine.connected} sockets), so ${PROJECTED_SOCKETS.toLocaleString('en-US')} sockets ≈ ${fmt(projection.rssMb)} MB RSS, ${fmt(projection.heapMb)} MB heap (before the sockets + per socket × ${PROJECTED_SOCKETS.toLocaleString('en-US')})${baseProjection ? `; baseline ${fmt(baseProjection.rssMb)} MB RSS, ${fmt(baseProjection.heapMb)} MB heap` : ''}`,
      met: null,
    });
  }
  return checks;
}

// ---- markdown -----------------------------------------------------------------------------

const fmt = (v) => {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  return abs >= 100
    ? Math.round(v).toLocaleString('en-US')
    : abs >= 10
      ? v.toFixed(1)
      : v.toFixed(2);
};
const cell = (f) => {
  if (!f) return '–';
  const range = f.n > 1 ? ` (${fmt(f.min)}–${fmt(f.max)})` : '';
  return `${fmt(f.median)}${range}`;
};
const ratioCell = (f) =>
  f?.ratio
    ? `${fmt(f.ratio.median)}×${f.ratio.n > 1 ? ` (${fmt(f.ratio.min)}–${fmt(f.ratio.max)})` : ''}`
    : '–';

function stepTable(run, id, mode) {
  const rows = new Map();
  for (const r of okRepeats(run.targets[id])) {
    for (const s of LADDERS[mode](r) ?? []) {
      if (!rows.has(s.rate)) rows.set(s.rate, []);
      rows.get(s.rate).push(s);
    }
  }
  const lines = [];
  for (const [rate, steps] of [...rows.entries()].sort((a, b) => a[0] - b[0])) {
    const p = (k) => fmt(spread(steps.map((s) => s[k]))?.median);
    const lost = steps.reduce((a, s) => a + s.lost, 0);
    const dup = steps.reduce((a, s) => a + s.duplicates, 0);
    const errors = steps.reduce((a, s) => a + s.httpErrors, 0);
    const held = steps.filter((s) => s.held).length;
    lines.push(
      `| ${rate} | ${p('p50Ms')} | ${p('p95Ms')} | ${p('p99Ms')} | ${p('maxMs')} | ${lost} | ${dup} | ${errors} | ${held}/${steps.length} |`,
    );
  }
  return lines;
}

const LADDER_TITLES = {
  typed: 'typed events (`POST /api/realtime/users/:id/events`)',
  stored: 'stored notifications (`POST /api/notifications`)',
  receipts:
    'stored notifications, every device confirming them (`notification:received`, batched as the client library does)',
  cross: 'typed events published through process B, clients on A',
};

export function renderMarkdown(run, chartPath) {
  const { meta, summary } = run;
  const ids = Object.keys(run.targets);
  const out = [];
  out.push(`## Latest run`, '');
  out.push(
    `- **Date**: ${meta.date} (${meta.durationS} s, mode \`${meta.mode}\`)`,
    `- **Commit**: \`${meta.commit}\`${meta.dirty ? ' (with uncommitted changes in apps/ or libs/)' : ''} — ${meta.subject}`,
    `- **Machine**: ${meta.machine.cpu}, ${meta.machine.cores} cores, ${meta.machine.memoryGb} GB, ${meta.machine.os}, Node ${meta.machine.node}; load average ${meta.machine.loadBefore.join(' / ')} before, ${meta.machine.loadAfter.join(' / ')} after (the machine is shared; ratios to the baseline of the same repeat are the figures to read)`,
    `- **Sizes**: connect storm N = ${meta.config.stormN} sockets (${meta.config.concurrency} handshakes in flight, ${meta.config.workers} client processes); fan-out ${meta.config.users} users × ${meta.config.devices} devices, steps of ${meta.config.stepMs / 1000} s doubling from ${meta.config.startRate}/s then bisected ${meta.config.refine}×; broadcast median of ${meta.config.broadcastRepeats}; ${meta.config.repeats} repeat(s), median (min–max); ${meta.config.perUserRate ? `per-user traffic during broadcasts ${meta.config.stallUsers} users × ${meta.config.devices} devices at ${meta.config.perUserRate}/s, ${meta.config.stallBroadcasts} broadcasts; ` : ''}capacity ${meta.config.capacity.length ? meta.config.capacity.join(' / ') : 'not run'}; open-file limit per process ${meta.config.fdLimit}.`,
    '',
  );
  out.push('### Floors', '');
  for (const c of summary.checks)
    out.push(`- ${c.met === null ? '·' : c.met ? '✅' : '❌'} ${c.text}`);
  out.push('');
  out.push(
    '### Figures',
    '',
    "Median (min–max) over the repeats; the ratio is to the baseline measured in the same repeat (median of the per-repeat ratios). The ratios of the connect storm, the broadcast and the typed CPU at half rate are to the same measurements on a baseline server right before and right after Herald's (their geometric mean), where the run has them; the baseline column shows the baseline's own repeats.",
    '',
  );
  out.push(
    `| figure | ${ids.map((id) => `${run.targets[id].label}`).join(' | ')} | ${ids
      .filter((id) => id !== 'd')
      .map((id) => `ratio ${id}`)
      .join(' | ')} |`,
  );
  out.push(
    `|---|${ids.map(() => '---:').join('|')}|${ids
      .filter((id) => id !== 'd')
      .map(() => '---:')
      .join('|')}|`,
  );
  for (const metric of METRICS) {
    if (!ids.some((id) => summary.figures[id]?.[metric.key])) continue;
    const unit = metric.unit ? ` (${metric.unit})` : '';
    out.push(
      `| ${metric.label}${unit} | ${ids.map((id) => cell(summary.figures[id]?.[metric.key])).join(' | ')} | ${ids
        .filter((id) => id !== 'd')
        .map((id) => ratioCell(summary.figures[id]?.[metric.key]))
        .join(' | ')} |`,
    );
  }
  out.push('');
  if (chartPath) out.push(`![p99 latency vs publish rate](${chartPath})`, '');
  for (const id of ids) {
    for (const mode of Object.keys(LADDERS)) {
      const rows = stepTable(run, id, mode);
      if (!rows.length) continue;
      const what = LADDER_TITLES[mode];
      out.push(`#### ${run.targets[id].label}: ${what}`, '');
      out.push(
        '| publishes/s | p50 ms | p95 ms | p99 ms | max ms | lost | duplicated | HTTP errors | held |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...rows,
        '',
      );
    }
  }
  out.push(...renderStall(run));
  out.push(...renderOverload(run));
  out.push(...renderCapacity(run));
  const failures = ids.flatMap((id) =>
    run.targets[id].repeats
      .filter((r) => r.error)
      .map((r) => `- ${run.targets[id].label}, repeat ${r.repeat + 1}: ${r.error}`),
  );
  if (failures.length) out.push('### Errors during the run', '', ...failures, '');
  return out.join('\n');
}

/** One row of per-user figures while broadcasts went out, and the same without them. */
function stallRow(label, repeat, s) {
  const bad = (x) => x.lost + x.duplicates;
  return `| ${label} | ${repeat} | ${s.sockets} | ${s.broadcast.samplesMs.map(fmt).join(' / ') || '–'} | ${s.during.deliveries} | ${fmt(s.during.p99Ms)} | ${fmt(s.during.maxMs)} | ${fmt(s.outside.p99Ms)} | ${fmt(s.outside.maxMs)} | ${fmt(s.quiet.p99Ms)} | ${fmt(s.quiet.maxMs)} | ${bad(s) + bad(s.quiet)} / ${s.broadcast.lost + s.broadcast.duplicates} | ${fmt(s.clientEventLoopDelayMaxMs)} |`;
}

const STALL_HEADER = [
  '| target | repeat | sockets | broadcast to the last socket, ms | deliveries in flight during a broadcast | their p99 ms | their max ms | p99 ms outside broadcasts | max ms outside | p99 ms, no broadcast | max ms, no broadcast | per-user / broadcast lost + duplicated | observing client’s event-loop delay, max ms |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];

/**
 * Per-user traffic while broadcasts go out: typed events at a fixed rate to the fan-out
 * users, a broadcast to every socket (the storm sockets and theirs) each second in the middle.
 */
function renderStall(run) {
  const rows = [];
  for (const target of Object.values(run.targets))
    for (const r of okRepeats(target))
      if (r.perUserDuringBroadcast)
        rows.push(stallRow(target.label, r.repeat + 1, r.perUserDuringBroadcast));
  if (!rows.length) return [];
  const { rate, users, devices, broadcasts, gapMs } = okRepeats(
    Object.values(run.targets).find((t) => okRepeats(t).some((r) => r.perUserDuringBroadcast)),
  ).find((r) => r.perUserDuringBroadcast).perUserDuringBroadcast;
  return [
    '### Per-user traffic while a broadcast goes out',
    '',
    `Typed events at ${rate}/s round-robin over ${users ?? '?'} users × ${devices ?? '?'} devices, with the connect storm's sockets still connected; ${broadcasts} broadcasts to every socket, one every ${fmt(gapMs / 1000)} s, in the middle. A delivery is "during a broadcast" when it was in flight (from its scheduled publish time to its arrival) between the broadcast's POST and its arrival at the last socket. "No broadcast": the same step on the same sockets just before, without broadcasts. The measured sockets live in a client process of their own and receive the broadcasts too; that process's largest event-loop delay during the step bounds how much of a delay is the client's rather than the server's.`,
    '',
    ...STALL_HEADER,
    ...rows,
    '',
  ];
}

/**
 * The overload curve: offered a multiple of the rate it held, what Herald accepted,
 * refused (503 + Retry-After) and how late what it accepted arrived, per repeat.
 */
function renderOverload(run) {
  const rows = [];
  for (const target of Object.values(run.targets)) {
    for (const r of okRepeats(target)) {
      for (const [mode, steps] of Object.entries(r.overload ?? {})) {
        for (const s of steps) {
          const answered = s.accepted + s.refused + s.httpErrors;
          rows.push(
            `| ${target.label} | ${mode} | ${r.repeat + 1} | ${s.factor}× = ${s.rate}/s | ${s.accepted} (${fmt((100 * s.accepted) / Math.max(1, answered))} %) | ${s.refused} | ${s.httpErrors} | ${fmt(s.p99Ms)} | ${fmt(s.maxMs)} | ${s.lost + s.duplicates} | ${s.aborted ? 'gave up: ' + s.aborted : s.p99Ms !== null && s.p99Ms < 100 && s.lost + s.duplicates === 0 ? 'yes' : 'no'} |`,
          );
        }
      }
    }
  }
  if (!rows.length) return [];
  return [
    '### Overload',
    '',
    'Offered a multiple of the rate it held (typed events and stored notifications), Herald refuses what it cannot serve in time with 503 `OVERLOADED` and `Retry-After`, and delivers what it accepted. p99 and max are over the deliveries of accepted publishes; "in time" = p99 < 100 ms with nothing lost or duplicated.',
    '',
    '| target | publishes | repeat | offered | accepted | refused (503) | other errors | p99 ms | max ms | lost + duplicated | accepted delivered in time |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
    '',
  ];
}

/** The capacity table (also rendered alone by `--capacity-only`). */
export function renderCapacity(run) {
  const out = [];
  const capIds = Object.keys(run.capacity ?? {});
  if (capIds.length) {
    out.push(
      '### Capacity (one pass)',
      '',
      '| target | sockets | connected | still connected 5 s later | connections/s | handshake p99 ms | server RSS MB | RSS per socket KB | failures |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const id of capIds) {
      const steps = run.capacity[id];
      if (!Array.isArray(steps)) {
        out.push(`| ${run.targets[id]?.label ?? id} | failed: ${steps.error} | | | | | | | |`);
        continue;
      }
      for (const s of steps) {
        out.push(
          `| ${run.targets[id]?.label ?? id} | ${s.n} | ${s.connected} | ${s.stillConnectedAfter5s} | ${fmt(s.connectionsPerSec)} | ${fmt(s.handshakeP99Ms)} | ${fmt(s.memory.after.rss / 1048576)} | ${fmt(s.memory.rssPerSocketKb)} | ${Object.keys(s.failures).length ? JSON.stringify(s.failures) : 'none'} |`,
        );
      }
    }
    out.push('');
    out.push(...renderCapacityMemory(run, capIds), ...renderCapacityTraffic(run, capIds));
  }
  return out;
}

const capacitySteps = (run, ids) =>
  ids.flatMap((id) =>
    Array.isArray(run.capacity[id])
      ? run.capacity[id].map((s) => ({ label: run.targets[id]?.label ?? id, s }))
      : [],
  );

/** Memory per socket in the capacity pass, and projected to PROJECTED_SOCKETS. */
function renderCapacityMemory(run, ids) {
  const rows = capacitySteps(run, ids).map(({ label, s }) => {
    const p = projectMemory(s.memory, s.connected, PROJECTED_SOCKETS);
    return `| ${label} | ${s.connected} | ${fmt(s.memory.before.rss / 1048576)} | ${fmt(s.memory.before.heapUsed / 1048576)} | ${fmt(p?.rssPerSocketKb)} | ${fmt(p?.heapPerSocketKb)} | ${fmt(p?.rssMb)} | ${fmt(p?.heapMb)} |`;
  });
  if (!rows.length) return [];
  const n = PROJECTED_SOCKETS.toLocaleString('en-US');
  return [
    `Memory per socket (after a forced GC, before and after the sockets connected) and projected to ${n} sockets on one process: before + per socket × ${n}.`,
    '',
    `| target | sockets | RSS before MB | heap before MB | RSS per socket KB | heap per socket KB | ${n} sockets: RSS MB | ${n} sockets: heap MB |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ];
}

/** Per-user traffic once every capacity socket is connected, without and with broadcasts. */
function renderCapacityTraffic(run, ids) {
  const steps = capacitySteps(run, ids);
  const plain = steps
    .filter(({ s }) => s.perUser)
    .map(({ label, s }) => {
      const p = s.perUser;
      return `| ${label} | ${s.stillConnectedAfter5s} | ${p.users ?? '–'} | ${p.rate} | ${p.published} | ${fmt(p.p50Ms)} | ${fmt(p.p99Ms)} | ${fmt(p.maxMs)} | ${p.lost + p.duplicates} | ${p.httpErrors} | ${fmt(p.serverCpuMsPerPublish)} |`;
    });
  const failed = steps
    .filter(({ s }) => s.trafficError)
    .map(({ label, s }) => `- ${label}: traffic failed — ${s.trafficError}`);
  const stall = steps
    .filter(({ s }) => s.perUserDuringBroadcast)
    .map(({ label, s }) => stallRow(label, '–', s.perUserDuringBroadcast));
  if (!plain.length && !failed.length) return [];
  return [
    'Per-user typed events with every socket connected: published round-robin over the first users of the pass (one socket each). Then, over fewer of them (in a client process of their own), the same without and with broadcasts to every socket ("during a broadcast" as in the per-user traffic section).',
    '',
    '| target | sockets | users | publishes/s | published | p50 ms | p99 ms | max ms | lost + duplicated | HTTP errors | server CPU ms per publish |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...plain,
    '',
    ...(stall.length ? [...STALL_HEADER, ...stall, ''] : []),
    ...(failed.length ? [...failed, ''] : []),
  ];
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

const INTRO = `# Benchmarks

\`npm run bench\` measures Herald's API (production build) against a raw Socket.IO baseline
(\`tools/bench/baseline-server.mjs\`: HS256 handshake, \`user:{id}\` rooms, the same HTTP publish
endpoints, no storage) in one run with one load driver (\`tools/bench/lib\`): real
\`socket.io-client\` websocket connections in separate worker processes, tokens minted by the
driver, an open-loop publisher that stamps every publish with its scheduled time (a server that
falls behind shows it as latency), and receipts checked on every device for loss and
duplication. \`npm run bench -- --quick\` is the three-minute development run;
\`npm run bench -- --compare [previous.json]\` compares the latest JSON in \`docs/benchmarks/\`
with a previous one.

Scenarios: (1) connect storm of N sockets; (2) their idle memory (after a warm-up of N/10
sockets, at most 50; the cold figure beside it); (3) fan-out of typed events
and of stored notifications (also with delivery receipts) to users × devices, the highest rate
held with p99 < 100 ms and nothing lost; (4) broadcast to the N sockets, time to the last one;
(5) reconnect storm of the N sockets after a restart; (6) two processes sharing Redis;
(7) no stall while a broadcast goes out: with the N sockets connected, typed events at 200/s
to a few users × devices (their sockets in a client process of their own), first without
broadcasts, then with a broadcast to every socket each second — the slowest per-user delivery
in flight during a broadcast must stay under 100 ms. Opt-in (\`--with-capacity\`,
\`--capacity-only\`), the capacity pass: as many sockets as one process may open (20,000, or
the open-file limit minus headroom), memory per socket and projected to 50,000 sockets, then
typed events at 200/s over 1,000 of those sockets' users (p99 < 100 ms), and scenario 7 with
broadcasts to all of them.

`;

const CAPACITY_START = '<!-- bench:capacity:start -->';
const CAPACITY_END = '<!-- bench:capacity:end -->';

/** Replaces the text between two markers of docs/benchmarks.md (appends them when missing). */
function replaceSection(start, end, content) {
  const mdPath = join(ROOT, 'docs/benchmarks.md');
  const existing = existsSync(mdPath) ? readFileSync(mdPath, 'utf8') : INTRO;
  const [head, rest] = existing.includes(start)
    ? existing.split(start)
    : [`${existing.trimEnd()}\n\n`, `\n${end}\n`];
  const tail = rest.includes(end) ? rest.split(end)[1] : '';
  writeFileSync(mdPath, `${head}${start}\n${content}\n${end}${tail}`);
  return mdPath;
}

/** Writes the JSON record (and, for a full run, docs/benchmarks.md and the chart). */
export function writeReport(run, { docs }) {
  if (run.meta.mode === 'capacity') {
    const dir = docs ? join(ROOT, 'docs/benchmarks') : join(ROOT, 'tmp/bench');
    mkdirSync(dir, { recursive: true });
    const jsonPath = join(dir, `${run.meta.date.slice(0, 10)}-${run.meta.commit}-capacity.json`);
    writeFileSync(jsonPath, `${JSON.stringify(run, null, 1)}\n`);
    const lines = [
      '## Capacity',
      '',
      `- **Date**: ${run.meta.date} (${run.meta.durationS} s), commit \`${run.meta.commit}\`${run.meta.dirty ? ' (with uncommitted changes in apps/ or libs/)' : ''}; load average ${run.meta.machine.loadBefore.join(' / ')} before, ${run.meta.machine.loadAfter.join(' / ')} after`,
      `- **Method**: \`npm run bench -- --capacity-only\`: one server, ${run.meta.config.capacity.join(' / ')} authenticated sockets opened by ${run.meta.config.workers} client processes (${run.meta.config.concurrency} handshakes in flight, at most ${run.meta.config.capacityBudgetS} s of connecting), then held 5 s; open-file limit per process ${run.meta.config.fdLimit}.`,
      '',
      ...run.summary.checks.map((c) => `- ${c.met === null ? '·' : c.met ? '✅' : '❌'} ${c.text}`),
      '',
      ...renderCapacity(run),
    ];
    const written = [relative(ROOT, jsonPath)];
    if (docs)
      written.push(relative(ROOT, replaceSection(CAPACITY_START, CAPACITY_END, lines.join('\n'))));
    return written;
  }
  const date = run.meta.date.slice(0, 10);
  const dir = docs ? join(ROOT, 'docs/benchmarks') : join(ROOT, 'tmp/bench');
  mkdirSync(dir, { recursive: true });
  const name = `${date}-${run.meta.commit}${docs ? '' : `-${run.meta.mode}`}`;
  const jsonPath = join(dir, `${name}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 1)}\n`);
  const svgPath = join(dir, docs ? 'latency-vs-rate.svg' : `${name}.svg`);
  writeFileSync(svgPath, latencyChart(run));
  const written = [relative(ROOT, jsonPath), relative(ROOT, svgPath)];
  const markdown = renderMarkdown(run, docs ? 'benchmarks/latency-vs-rate.svg' : undefined);
  if (docs) {
    const mdPath = join(ROOT, 'docs/benchmarks.md');
    const existing = existsSync(mdPath)
      ? readFileSync(mdPath, 'utf8')
      : `${INTRO}${START}\n${END}\n`;
    const [head, rest] = existing.includes(START)
      ? existing.split(START)
      : [existing, `\n${END}\n`];
    const tail = rest.includes(END) ? rest.split(END)[1] : '';
    writeFileSync(mdPath, `${head}${START}\n${markdown}\n${END}${tail}`);
    written.push(relative(ROOT, mdPath));
  } else {
    const mdPath = join(dir, `${name}.md`);
    writeFileSync(mdPath, markdown);
    written.push(relative(ROOT, mdPath));
  }
  return written;
}
