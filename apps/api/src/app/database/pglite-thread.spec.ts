import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { isConnectionError } from './database-errors';
// @ts-expect-error The worker's own module (JavaScript, run by the thread).
import { MAX_STATEMENTS } from './pglite-prepared-statements.mjs';
import { PGliteThread, restartDelayMs } from './pglite-thread';

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

  describe('statements with parameters (parsed once, then bound)', () => {
    const prepared = async (text: string) =>
      (
        await db.query(
          'select count(*)::int as n from pg_prepared_statements where statement = $1',
          [text],
        )
      ).rows;

    it('parses a statement once and answers every run as a fresh query would', async () => {
      const text = 'select $1::int + $2::int as sum, $3::text[] as list';
      for (let i = 0; i < 12; i++) {
        const result = await db.query(text, [i, 1, ['a', `b${i}`]]);
        expect(result.rows).toEqual([{ sum: i + 1, list: ['a', `b${i}`] }]);
        expect(result.fields.map((f) => f.name)).toEqual(['sum', 'list']);
      }
      expect(await prepared(text)).toEqual([{ n: 1 }]);
      const inserted = await db.query('insert into t (id) values ($1), ($2)', [30, 31]);
      expect(inserted.affectedRows).toBe(2);
    });

    it('runs inside the open transaction, and outside ones wait for it', async () => {
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const tx = db.transaction(async (t) => {
        await t.query('insert into t (id) values ($1)', [40]);
        const seen = await t.query('select count(*)::int as n from t where id = $1', [40]);
        order.push(`in transaction: ${JSON.stringify(seen.rows)}`);
        await held;
      });
      const outside = db
        .query('select count(*)::int as n from t where id = $1', [40])
        .then((r) => order.push(`outside: ${JSON.stringify(r.rows)}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await Promise.all([tx, outside]);
      expect(order).toEqual(['in transaction: [{"n":1}]', 'outside: [{"n":1}]']);

      await expect(
        db.transaction(async (t) => {
          await t.query('insert into t (id) values ($1)', [41]);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const rolledBack = await db.query('select count(*)::int as n from t where id = $1', [41]);
      expect(rolledBack.rows).toEqual([{ n: 0 }]);
    });

    it("reports PostgreSQL's error fields, and the statement works again after", async () => {
      const insert = 'insert into t (id) values ($1)';
      await db.query(insert, [50]);
      await expect(db.query(insert, [50])).rejects.toMatchObject({ code: '23505' });
      await expect(db.query('select $1::int +', [1])).rejects.toMatchObject({ code: '42601' });
      await db.query(insert, [51]);
      const ids = await db.query(
        'select id from t where id >= $1 and id < $2 order by id',
        [50, 60],
      );
      expect(ids.rows).toEqual([{ id: 50 }, { id: 51 }]);
    });

    it(`keeps at most ${MAX_STATEMENTS} of them, closing the least recently used`, async () => {
      const texts = Array.from(
        { length: MAX_STATEMENTS + 5 },
        (_, i) => `select $1::int + ${i} as v`,
      );
      for (const [i, text] of texts.entries()) {
        expect((await db.query(text, [1])).rows).toEqual([{ v: 1 + i }]);
      }
      const kept = await db.query('select count(*)::int as n from pg_prepared_statements');
      expect((kept.rows[0] as { n: number }).n).toBeLessThanOrEqual(MAX_STATEMENTS);
      expect(await prepared(texts[0] as string)).toEqual([{ n: 0 }]);
      // A closed one is parsed again when it comes back.
      expect((await db.query(texts[0] as string, [2])).rows).toEqual([{ v: 2 }]);
    });
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

  it(
    'waits longer before each new thread while threads keep dying, failing calls at once meanwhile',
    { timeout: 90_000 },
    async () => {
      const policy = { firstDelayMs: 400, maxDelayMs: 10_000, stableAfterMs: 60_000 };
      const crashing = await PGliteThread.create(undefined, policy);
      const kill = () => (crashing as unknown as { worker: Worker }).worker.terminate();
      try {
        // The first death: a new thread at once, which callers simply wait for.
        await kill();
        expect((await crashing.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
        expect(crashing.threadsStarted).toBe(2);
        // The second in a row: no thread for a while, and a call says so without waiting.
        await kill();
        const askedAt = performance.now();
        const refused = await crashing.query('select 1').catch((e: unknown) => e);
        expect(isConnectionError(refused)).toBe(true);
        expect(performance.now() - askedAt).toBeLessThan(policy.firstDelayMs);
        // Refused before any new thread started, not by one that failed.
        expect(crashing.threadsStarted).toBe(2);
        // Then the new thread opens the database and calls are answered again.
        let answer: unknown;
        for (const deadline = Date.now() + 60_000; !answer && Date.now() < deadline;) {
          answer = await crashing.query('select 2 as two').catch(() => undefined);
          if (!answer) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(answer).toMatchObject({ rows: [{ two: 2 }] });
        expect(crashing.threadsStarted).toBe(3);
      } finally {
        await crashing.close();
      }
    },
  );

  it('doubles the wait for each death in a row up to the cap, the first replaced at once', () => {
    const policy = { firstDelayMs: 250, maxDelayMs: 30_000, stableAfterMs: 60_000 };
    expect([1, 2, 3, 4, 9, 10, 50].map((deaths) => restartDelayMs(policy, deaths))).toEqual([
      0, 250, 500, 1_000, 30_000, 30_000, 30_000,
    ]);
  });

  it(
    'hands a data directory it just created over to a new thread, and opens an existing one once',
    { timeout: 120_000 },
    async () => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'herald-pglite-thread-')), 'pgdata');
      try {
        const created = await PGliteThread.create(dataDir);
        expect(created.threadsStarted).toBe(2);
        await created.exec('create table kept (id int)');
        await created.exec('insert into kept values (7)');
        await created.close();

        const reopened = await PGliteThread.create(dataDir);
        expect(reopened.threadsStarted).toBe(1);
        expect((await reopened.query('select id from kept')).rows).toEqual([{ id: 7 }]);
        await reopened.close();
      } finally {
        rmSync(dirname(dataDir), { recursive: true, force: true });
      }
    },
  );
});
