import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseService, migrationsFolder } from '../database/database.service';
import type { Database } from '../database/database.types';
import { NotificationsRepository } from './notifications.repository';
import { createInboxTestModule, type InboxTestModule } from './testing/inbox-test-module';

const USERS = ['count-a', 'count-b', 'count-c'];
const HOUR_MS = 3_600_000;

/** What the unread count means, counted row by row: unread, and not expired. */
const TRUE_COUNTS = sql`select user_id, count(*)::int as unread from notifications
  where read_at is null and (expires_at is null or expires_at > now()) group by user_id`;

async function trueCounts(db: Database, userIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map(userIds.map((id) => [id, 0]));
  const result = (await db.execute(TRUE_COUNTS)) as unknown as {
    rows: { user_id: string; unread: number }[];
  };
  for (const row of result.rows) if (counts.has(row.user_id)) counts.set(row.user_id, row.unread);
  return counts;
}

/** One change to the inbox, by the app or by any other writer of the table. */
type Step =
  | { kind: 'send'; users: string[]; expiresInMs: number | null }
  | { kind: 'read' | 'delete' | 'expire' | 'unread' | 'move'; pick: number; to: string }
  | { kind: 'readAll'; user: string }
  | { kind: 'sweep' }
  | { kind: 'rolledBack'; users: string[] };

const user = fc.constantFrom(...USERS);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      users: fc.uniqueArray(user, { minLength: 1, maxLength: USERS.length }),
      // Never, already past (not counted from the start), or far enough ahead that no
      // check races the clock (`expire` moves it back).
      expiresInMs: fc.option(fc.constantFrom(HOUR_MS, -1_000), { nil: null }),
    }),
    weight: 4,
  },
  fc.record({
    kind: fc.constantFrom('read', 'delete', 'expire', 'unread', 'move'),
    pick: fc.nat(),
    to: user,
  }),
  fc.record({ kind: fc.constant('readAll' as const), user }),
  fc.record({ kind: fc.constant('sweep' as const) }),
  fc.record({
    kind: fc.constant('rolledBack' as const),
    users: fc.uniqueArray(user, { minLength: 1 }),
  }),
);

/**
 * The unread count reads a per-user number the database keeps (triggers on notifications)
 * plus the expiring unread notifications counted live. These tests hold it to its meaning
 * — unread, not deleted, not expired — after every kind of change.
 */
describe('unread count', () => {
  let inbox: InboxTestModule;
  let repository: NotificationsRepository;
  let database: DatabaseService;

  beforeAll(async () => {
    inbox = await createInboxTestModule();
    repository = inbox.module.get(NotificationsRepository);
    database = inbox.module.get(DatabaseService);
  }, 60_000);
  afterAll(() => inbox?.module.close());
  beforeEach(() => database.db.execute(sql`delete from notifications`));

  /** A row of the user's inbox, chosen by `pick`; undefined when the inbox is empty. */
  async function someRow(pick: number) {
    const result = (await database.db.execute(
      sql`select id, user_id from notifications order by created_at, id`,
    )) as unknown as { rows: { id: string; user_id: string }[] };
    return result.rows.length ? result.rows[pick % result.rows.length] : undefined;
  }

  async function apply(change: Step): Promise<void> {
    const { db } = database;
    switch (change.kind) {
      case 'send': {
        const expiresAt =
          change.expiresInMs === null
            ? undefined
            : new Date(Date.now() + change.expiresInMs).toISOString();
        // The insert that also reads the counts: they must be the counts right after it.
        const { unreadCounts } = await repository.insertSendsCounting([
          { userIds: change.users, content: { title: 't', message: 'm', expiresAt } },
          { userIds: change.users.slice(0, 1), content: { title: 'second', message: 'm' } },
        ]);
        expect(unreadCounts).toEqual(await trueCounts(database.db, change.users));
        return;
      }
      case 'readAll':
        await repository.markAllRead(change.user);
        return;
      case 'sweep':
        await database.transaction(async (tx) => {
          await repository.deleteExpired(tx, 2);
          await repository.deleteReadBefore(tx, new Date(Date.now() + HOUR_MS), 2);
        });
        return;
      case 'rolledBack':
        await expect(
          database.transaction(async (tx) => {
            await repository.insertSends(
              [{ userIds: change.users, content: { title: 't', message: 'm' } }],
              tx,
            );
            await tx.execute(sql`update notifications set read_at = now()`);
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        return;
    }
    const row = await someRow(change.pick);
    if (!row) return;
    const id = sql`${row.id}::uuid`;
    switch (change.kind) {
      case 'read':
        // Twice: marking read is idempotent.
        await repository.markRead(row.user_id, row.id);
        await repository.markRead(row.user_id, row.id);
        return;
      case 'delete':
        await repository.delete(row.user_id, row.id);
        return;
      case 'expire':
        await db.execute(
          sql`update notifications set expires_at = now() - interval '1 second' where id = ${id}`,
        );
        return;
      case 'unread':
        await db.execute(sql`update notifications set read_at = null where id = ${id}`);
        return;
      case 'move':
        await db.execute(sql`update notifications set user_id = ${change.to} where id = ${id}`);
        return;
    }
  }

  it('matches the notifications that are unread and not expired after any sequence of changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        await database.db.execute(sql`delete from notifications`);
        for (const change of steps) {
          await apply(change);
          expect(await repository.unreadCounts(USERS)).toEqual(
            await trueCounts(database.db, USERS),
          );
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('drops a notification when it expires, with no write at all', async () => {
    await repository.insertSends([
      {
        userIds: ['count-a'],
        content: {
          title: 'soon',
          message: 'm',
          expiresAt: new Date(Date.now() + 200).toISOString(),
        },
      },
      { userIds: ['count-a'], content: { title: 'stays', message: 'm' } },
    ]);
    expect((await repository.unreadCounts(['count-a'])).get('count-a')).toBe(2);

    await vi.waitFor(
      async () => expect((await repository.unreadCounts(['count-a'])).get('count-a')).toBe(1),
      { timeout: 5_000 },
    );
  });

  it('is 0 for users without notifications, and after the table is truncated', async () => {
    await repository.insertSends([{ userIds: ['count-a'], content: { title: 't', message: 'm' } }]);
    await database.db.execute(sql`truncate notifications cascade`);
    await repository.insertSends([{ userIds: ['count-b'], content: { title: 't', message: 'm' } }]);

    expect(await repository.unreadCounts(['count-a', 'count-b', 'nobody'])).toEqual(
      new Map([
        ['count-a', 0],
        ['count-b', 1],
        ['nobody', 0],
      ]),
    );
  });
});

describe('unread count migration', () => {
  it('counts the notifications stored before it', async () => {
    // The migrations up to the one that adds the kept count, then some notifications.
    const folder = mkdtempSync(join(tmpdir(), 'herald-migrations-'));
    const db = drizzle(new PGlite());
    try {
      cpSync(migrationsFolder(), folder, { recursive: true });
      const journalFile = join(folder, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
      const at = journal.entries.findIndex((e: { tag: string }) => e.tag === '0003_unread_counts');
      expect(at).toBeGreaterThan(0);
      writeFileSync(
        journalFile,
        JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }),
      );
      await migrate(db, { migrationsFolder: folder });
      await db.execute(sql`insert into notifications (user_id, title, message, read_at, expires_at)
        values ('m-a', 't', 'm', null, null), ('m-a', 't', 'm', null, null),
               ('m-a', 't', 'm', now(), null), ('m-a', 't', 'm', null, now() + interval '1 hour'),
               ('m-a', 't', 'm', null, now() - interval '1 hour'), ('m-b', 't', 'm', null, null)`);

      await migrate(db, { migrationsFolder: migrationsFolder() });

      const kept = await db.execute(
        sql`select user_id, unread from notification_unread_counts order by user_id`,
      );
      // What never expires is kept; the expiring one is counted live when read.
      expect(kept.rows).toEqual([
        { user_id: 'm-a', unread: 2 },
        { user_id: 'm-b', unread: 1 },
      ]);
    } finally {
      await db.$client.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
