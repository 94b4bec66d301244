import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import { ADMIN_PG_URL, waitFor } from '../../../../../tools/testing/index.mjs';
import { StatementPool } from './statement-pool';

/** Against the machine's PostgreSQL (read-only statements on its maintenance database). */
describe('StatementPool', () => {
  let pool: StatementPool;

  beforeEach(() => {
    pool = new StatementPool({ connectionString: ADMIN_PG_URL, max: 2 });
    // As DatabaseService does: a client that breaks while idle must not crash the process.
    pool.on('error', () => undefined);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await pool.end();
  });

  it('answers statements the way Drizzle asks (a query config, array rows) and returns the client', async () => {
    const result = await pool.query({ text: 'select $1::int + 1 as n', rowMode: 'array' }, [41]);
    expect(result.rows).toEqual([[42]]);
    expect(pool.totalCount).toBe(1);
    expect(pool.idleCount).toBe(1);
  });

  it('watches the client for errors with on and leaves no listener behind, never once', async () => {
    const once = vi.spyOn(EventEmitter.prototype, 'once');
    const statements = Array.from({ length: 20 }, (_, i) => pool.query('select $1::int as n', [i]));
    expect((await Promise.all(statements)).map((r) => r.rows[0].n)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(once.mock.calls.filter(([event]) => event === 'error')).toEqual([]);
    const client = await pool.connect();
    try {
      // Checked out, a client has no `error` listener left from the statements it ran.
      expect(client.listenerCount('error')).toBe(0);
    } finally {
      client.release();
    }
  });

  it('rejects a statement PostgreSQL refuses, and the next statement runs', async () => {
    await expect(pool.query('select * from no_such_table')).rejects.toMatchObject({
      code: '42P01',
    });
    // As with Pool's own query, a client whose statement failed is not reused.
    expect(pool.totalCount).toBe(0);
    expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('rejects a statement whose connection breaks, drops that client and recovers with a new one', async () => {
    const pid = (await pool.query('select pg_backend_pid() as pid')).rows[0].pid as number;
    // Settled into a value at once, so its rejection is never unhandled while we wait.
    const sleeping = pool.query('select pg_sleep(30)').then(
      () => 'answered',
      (error: unknown) => error,
    );
    const admin = new Client({ connectionString: ADMIN_PG_URL });
    await admin.connect();
    try {
      await waitFor(async () => {
        const { rows } = await admin.query(
          "select 1 from pg_stat_activity where pid = $1 and query like 'select pg_sleep%'",
          [pid],
        );
        return rows.length === 1;
      });
      await admin.query('select pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    expect(await sleeping).toMatchObject({ code: '57P01' });
    await waitFor(() => pool.totalCount === 0);
    const again = await pool.query('select pg_backend_pid() as pid');
    expect(again.rows[0].pid).not.toBe(pid);
  });

  it('keeps Pool’s own query for callers that pass a callback', async () => {
    const rows = await new Promise((resolve, reject) =>
      pool.query('select 7 as seven', (error, result) =>
        error ? reject(error) : resolve(result.rows),
      ),
    );
    expect(rows).toEqual([{ seven: 7 }]);
  });
});
