import type { Worker } from 'node:worker_threads';
import { isConnectionError } from './database-errors';
import { PGliteThread } from './pglite-thread';

describe('PGliteThread (the embedded database on its own thread)', () => {
  let db: PGliteThread;

  beforeAll(async () => {
    db = await PGliteThread.create();
    await db.exec('create table t (id int primary key, at timestamptz(3) not null default now())');
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  it('answers queries with rows, keeping timestamps as text when Drizzle asks for it', async () => {
    await db.query('insert into t (id) values ($1), ($2)', [1, 2]);
    const arrays = await db.query('select id, at from t order by id', [], {
      rowMode: 'array',
      parsers: {},
    });
    expect(arrays.rows.map((r) => (r as unknown[])[0])).toEqual([1, 2]);
    expect(typeof (arrays.rows[0] as unknown[])[1]).toBe('string');
    const objects = await db.query('select id from t where id = $1', [2]);
    expect(objects.rows).toEqual([{ id: 2 }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('insert into t (id) values (10)');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t (id) values (11)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const ids = await db.query('select id from t where id >= 10 order by id');
    expect(ids.rows).toEqual([{ id: 10 }]);
  });

  it('queues a statement issued while a transaction is open behind it, as PGlite does', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tx = db.transaction(async (t) => {
      await t.query('insert into t (id) values (20)');
      order.push('in transaction');
      await held;
    });
    const outside = db.query('select count(*)::int as n from t where id = 20').then((r) => {
      order.push('outside');
      return r.rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await tx;
    expect(await outside).toEqual([{ n: 1 }]);
    expect(order).toEqual(['in transaction', 'outside']);
  });

  it("reports PostgreSQL's error fields, so callers can classify them", async () => {
    const error = await db.query('insert into t (id) values (1)').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '23505' });
  });

  // Opening PGlite takes seconds (longer on a busy machine): this test opens it a second time.
  it(
    'reopens the database on a new thread when its thread dies, failing only what was in flight',
    { timeout: 60_000 },
    async () => {
      // The thread is private: stopping it from outside stands for a crash inside it.
      const worker = (db as unknown as { worker: Worker }).worker;
      const inFlight = db.query('select pg_sleep(0.2)').catch((e: unknown) => e);
      await worker.terminate();
      const error = await inFlight;
      expect(isConnectionError(error)).toBe(true);
      // In memory, a new thread starts from an empty database: the table is gone, the thread works.
      const answer = await db.query('select 1 as one');
      expect(answer.rows).toEqual([{ one: 1 }]);
    },
  );
});
