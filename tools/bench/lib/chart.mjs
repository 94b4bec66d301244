// Hand-written SVG line charts: fan-out p99 latency against publish rate (log-log, one line
// per target and mode, with the 100 ms "held" limit drawn across), and the soak's memory
// and event-loop lag over time.
import { P99_LIMIT_MS } from './driver.mjs';
import { spread } from './stats.mjs';

const COLORS = { d: '#555555', a: '#1f77b4', b: '#2ca02c', c: '#d62728' };
const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The rate ladders of a repeat's result: the steps of each held-rate search, by mode. */
export const LADDERS = {
  typed: (r) => r.typed?.steps,
  stored: (r) => r.stored?.steps,
  receipts: (r) => r.storedWithReceipts?.steps,
  cross: (r) => r.crossTyped?.steps,
};

const LINE_LABELS = {
  typed: ', typed',
  stored: ', stored',
  receipts: ', stored + receipts',
  cross: ', via process B',
};
const LINE_DASHES = {
  typed: '',
  stored: ' stroke-dasharray="7 4"',
  receipts: ' stroke-dasharray="7 3 2 3"',
  cross: ' stroke-dasharray="2 3"',
};

/** Median p99 per rate over the repeats, for one target's ladder. */
function series(run, id, mode) {
  const byRate = new Map();
  for (const r of run.targets[id]?.repeats ?? []) {
    for (const s of LADDERS[mode](r) ?? []) {
      if (s.p99Ms === null) continue;
      if (!byRate.has(s.rate)) byRate.set(s.rate, []);
      byRate.get(s.rate).push(s.p99Ms);
    }
  }
  return [...byRate.entries()]
    .map(([rate, p99s]) => ({ rate, p99: spread(p99s).median }))
    .sort((a, b) => a.rate - b.rate);
}

export function latencyChart(run) {
  const W = 800;
  const H = 440;
  const m = { left: 70, right: 270, top: 40, bottom: 55 };
  const lines = [];
  for (const id of Object.keys(run.targets)) {
    for (const mode of Object.keys(LADDERS)) {
      const points = series(run, id, mode);
      if (points.length)
        lines.push({ id, mode, points, label: `${run.targets[id].label}${LINE_LABELS[mode]}` });
    }
  }
  const all = lines.flatMap((l) => l.points);
  const xMin = Math.min(...all.map((p) => p.rate), 100);
  const xMax = Math.max(...all.map((p) => p.rate), 1000);
  const yMin = 1;
  const yMax = Math.max(1000, ...all.map((p) => p.p99));
  const lx = (v) => Math.log10(v);
  const x = (v) => m.left + ((lx(v) - lx(xMin)) / (lx(xMax) - lx(xMin))) * (W - m.left - m.right);
  const y = (v) =>
    H -
    m.bottom -
    ((lx(Math.max(v, yMin)) - lx(yMin)) / (lx(yMax) - lx(yMin))) * (H - m.top - m.bottom);
  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${m.left}" y="22" font-size="15" font-weight="bold">Fan-out p99 latency vs publish rate (${escape(run.meta.commit)}, ${escape(run.meta.date.slice(0, 10))})</text>`,
  );
  // Grid and axes: decades, plus 2× and 5× ticks on x.
  for (let d = Math.floor(lx(xMin)); d <= Math.ceil(lx(xMax)); d += 1) {
    for (const k of [1, 2, 5]) {
      const v = k * 10 ** d;
      if (v < xMin || v > xMax) continue;
      parts.push(
        `<line x1="${x(v).toFixed(1)}" y1="${m.top}" x2="${x(v).toFixed(1)}" y2="${H - m.bottom}" stroke="#e5e5e5"/>`,
      );
      parts.push(
        `<text x="${x(v).toFixed(1)}" y="${H - m.bottom + 16}" text-anchor="middle">${v.toLocaleString('en-US')}</text>`,
      );
    }
  }
  for (let d = 0; d <= Math.ceil(lx(yMax)); d += 1) {
    const v = 10 ** d;
    if (v > yMax) continue;
    parts.push(
      `<line x1="${m.left}" y1="${y(v).toFixed(1)}" x2="${W - m.right}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`,
    );
    parts.push(
      `<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<line x1="${m.left}" y1="${y(P99_LIMIT_MS)}" x2="${W - m.right}" y2="${y(P99_LIMIT_MS)}" stroke="#ff7f0e" stroke-dasharray="6 4"/>`,
  );
  parts.push(
    `<text x="${W - m.right - 4}" y="${y(P99_LIMIT_MS) - 5}" text-anchor="end" fill="#ff7f0e">${P99_LIMIT_MS} ms limit</text>`,
  );
  parts.push(
    `<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#333"/>`,
  );
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">publishes per second (log)</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">p99 latency, ms (log)</text>`,
  );
  lines.forEach((line, i) => {
    const color = COLORS[line.id] ?? '#9467bd';
    const dash = LINE_DASHES[line.mode];
    const d = line.points
      .map((p, j) => `${j ? 'L' : 'M'}${x(p.rate).toFixed(1)},${y(p.p99).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const p of line.points)
      parts.push(
        `<circle cx="${x(p.rate).toFixed(1)}" cy="${y(p.p99).toFixed(1)}" r="3" fill="${color}"/>`,
      );
    const ly = m.top + 10 + i * 20;
    parts.push(
      `<line x1="${W - m.right + 12}" y1="${ly}" x2="${W - m.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`,
    );
    parts.push(
      `<text x="${W - m.right + 46}" y="${ly + 4}" font-size="11">${escape(line.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** Two stacked panels sharing the time axis: memory (RSS, heap used) and event-loop lag p99. */
export function soakChart(report) {
  const config = report.config;
  const W = 760;
  const panelH = 200;
  const m = { left: 64, right: 150, top: 44, gap: 52, bottom: 44 };
  const H = m.top + panelH * 2 + m.gap + m.bottom;
  const samples = report.samples;
  const maxMinute = Math.max(1, ...samples.map((s) => s.minute));
  const x = (minute) => m.left + (minute / maxMinute) * (W - m.left - m.right);
  const parts = [];
  const panel = (top, title, series, unit) => {
    const max =
      Math.max(1, ...series.flatMap((s) => samples.map((p) => p[s.key]).filter(Number.isFinite))) *
      1.15;
    const y = (v) => top + panelH - (v / max) * panelH;
    parts.push(
      `<text x="${m.left}" y="${top - 10}" font-size="13" font-weight="bold">${escape(title)}</text>`,
    );
    for (let i = 0; i <= 4; i++) {
      const v = (max / 4) * i;
      parts.push(
        `<line x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      );
      parts.push(
        `<text x="${m.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${Math.round(v)}</text>`,
      );
    }
    parts.push(
      `<text x="14" y="${top + panelH / 2}" font-size="11" transform="rotate(-90 14 ${top + panelH / 2})" text-anchor="middle">${unit}</text>`,
    );
    if (config.warmupMinutes > 0 && config.warmupMinutes < maxMinute) {
      parts.push(
        `<rect x="${m.left}" y="${top}" width="${x(config.warmupMinutes) - m.left}" height="${panelH}" fill="#f3f3f3"/>`,
      );
    }
    series.forEach((s, i) => {
      const points = samples
        .filter((p) => Number.isFinite(p[s.key]))
        .map((p) => `${x(p.minute).toFixed(1)},${y(p[s.key]).toFixed(1)}`);
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(' ')}"/>`,
      );
      parts.push(
        `<line x1="${W - m.right + 12}" x2="${W - m.right + 32}" y1="${top + 14 + i * 18}" y2="${top + 14 + i * 18}" stroke="${s.color}" stroke-width="2"/>`,
      );
      parts.push(
        `<text x="${W - m.right + 38}" y="${top + 18 + i * 18}" font-size="11">${escape(s.label)}</text>`,
      );
    });
  };
  panel(
    m.top,
    'Memory of the API process',
    [
      { key: 'rssMb', label: 'RSS', color: '#1f77b4' },
      { key: 'heapUsedMb', label: 'heap used', color: '#2ca02c' },
    ],
    'MB',
  );
  const lagTop = m.top + panelH + m.gap;
  panel(
    lagTop,
    'Event-loop lag (p99 per interval)',
    [{ key: 'lagP99Ms', label: 'lag p99', color: '#d62728' }],
    'ms',
  );
  for (let t = 0; t <= maxMinute; t += maxMinute > 12 ? 2 : 1) {
    parts.push(
      `<text x="${x(t)}" y="${H - m.bottom + 18}" font-size="11" text-anchor="middle">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" font-size="11" text-anchor="middle">minutes (grey: warm-up, excluded from the bound)</text>`,
  );
  const e = report.evaluation;
  const verdict =
    e.growthPercent === null
      ? 'too short to judge'
      : `RSS growth after warm-up ${e.growthPercent} % (bound ${config.boundPercent} %)`;
  parts.push(
    `<text x="${m.left}" y="18" font-size="13">${escape(`${report.config.sockets} sockets, ${report.config.minutes} min: ${verdict}`)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">\n<rect width="${W}" height="${H}" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
