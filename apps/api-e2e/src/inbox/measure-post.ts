/**
 * Measures one `POST /api/notifications` (store in one transaction + push) to 1 user and
 * to 100 users, on embedded PGlite (in memory) and on the machine's PostgreSQL, against
 * the built API. Not a test: run it by hand and copy the table into docs/inbox.md.
 *
 *   npx nx build api && npx jiti apps/api-e2e/src/inbox/measure-post.ts
 *
 * Requests are sequential (latency, not throughput), after a warm-up; every request
 * writes to fresh user ids so no request benefits from another's cache.
 */
import {
  type ApiProcess,
  createScratchDatabase,
  newRunId,
  startApi,
  TEST_API_KEY,
} from '../../../../tools/testing/index.mjs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

const ROUNDS = Number(process.env['ROUNDS'] ?? 40);
const WARM_UP = 10;
const RECIPIENTS = [1, 100, 1_000];

async function post(api: ApiProcess, userIds: string[]): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${api.url}/api/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
    body: JSON.stringify({
      userIds,
      title: 'Benchmark',
      message: 'One notification per recipient',
      data: { n: 1 },
    }),
  });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 201) throw new Error(`POST answered ${res.status}`);
  return ms;
}

function summarize(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { median: at(0.5), p95: at(0.95), mean };
}

let batch = 0;
const usersFor = (count: number) =>
  Array.from({ length: count }, (_, i) => `bench-${process.pid}-${++batch}-${i}`);

async function measure(engine: string, env: Record<string, string>): Promise<string[]> {
  const api = await startApi({ env });
  const rows: string[] = [];
  try {
    for (let i = 0; i < WARM_UP; i++) await post(api, usersFor(10));
    for (const count of RECIPIENTS) {
      const rounds = count >= 1_000 ? Math.max(5, Math.floor(ROUNDS / 4)) : ROUNDS;
      const samples: number[] = [];
      for (let i = 0; i < rounds; i++) samples.push(await post(api, usersFor(count)));
      const { median, p95, mean } = summarize(samples);
      rows.push(
        `| ${engine} | ${count} | ${rounds} | ${median.toFixed(1)} | ${p95.toFixed(1)} | ${mean.toFixed(1)} |`,
      );
      console.error(rows[rows.length - 1]);
    }
  } finally {
    await api.stop();
  }
  return rows;
}

async function main() {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(`${cpus().length} cores, load average ${load()} at start`);
  const rows: string[] = [];
  rows.push(...(await measure('PGlite (memory://)', { DATABASE_URL: 'memory://' })));
  const database = await createScratchDatabase(newRunId(), 'measure');
  try {
    rows.push(...(await measure('PostgreSQL 15 (pg pool)', { DATABASE_URL: database.url })));
  } finally {
    await database.drop();
  }
  console.log(`load average ${load()} at end`);
  console.log(
    [
      '| engine | recipients | requests | median ms | p95 ms | mean ms |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n'),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
