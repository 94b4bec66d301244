import { ErrorCode } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import { NotificationWriteBatcher } from './notification-write-batcher';
import { NotificationsRepository } from './notifications.repository';

/** Against a real (in-memory PGlite) database. */
describe('NotificationWriteBatcher', () => {
  let database: DatabaseService;
  let repository: NotificationsRepository;
  let batcher: NotificationWriteBatcher;

  beforeAll(async () => {
    database = await DatabaseService.open({ kind: 'memory' });
    repository = new NotificationsRepository(database);
  }, 60_000);
  afterAll(() => database?.onApplicationShutdown());
  beforeEach(() => {
    batcher = new NotificationWriteBatcher(repository);
  });

  it('stores concurrent sends to different users with one INSERT and answers each its own records', async () => {
    const inserts = vi.spyOn(repository, 'insertSends');
    const sends = Array.from({ length: 20 }, (_, i) => ({
      userIds: [`batch-a-${i}`, `batch-b-${i}`],
      // Every other send without data: null and JSON values side by side in one statement.
      content: {
        title: `title ${i}`,
        message: `message ${i}`,
        data: i % 2 ? undefined : { seq: i },
      },
    }));
    const answers = await Promise.all(sends.map((send) => batcher.store(send)));

    answers.forEach((records, i) => {
      expect(records.map((r) => r.userId)).toEqual([`batch-a-${i}`, `batch-b-${i}`]);
      for (const r of records) {
        expect(r).toMatchObject({
          title: `title ${i}`,
          message: `message ${i}`,
          data: i % 2 ? null : { seq: i },
        });
        expect(r.type).toBe('info');
        expect(r.readAt).toBeNull();
      }
    });
    expect(inserts).toHaveBeenCalledTimes(1);
    inserts.mockRestore();
    const counts = await repository.unreadCounts(sends.flatMap((s) => s.userIds));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('counts every notification when concurrent sends share a recipient', async () => {
    const answers = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        batcher.store({ userIds: ['batch-shared'], content: { title: `t${i}`, message: 'm' } }),
      ),
    );
    expect(new Set(answers.map(([r]) => r?.title))).toEqual(
      new Set(Array.from({ length: 7 }, (_, i) => `t${i}`)),
    );
    expect(await unreadCountOf('batch-shared')).toBe(7);
  });

  it('fails only the send whose data the database refuses; the others of the batch are stored', async () => {
    const outcomes = await Promise.allSettled([
      batcher.store({ userIds: ['batch-ok-1'], content: { title: 'ok', message: 'm' } }),
      batcher.store({
        userIds: ['batch-bad'],
        content: { title: 'x', message: 'm', data: { v: '\u0000' } },
      }),
      batcher.store({ userIds: ['batch-ok-2'], content: { title: 'ok', message: 'm' } }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      code: ErrorCode.InvalidPayload,
    });
    expect(await unreadCountOf('batch-bad')).toBe(0);
    expect(await unreadCountOf('batch-ok-1')).toBe(1);
    expect(await unreadCountOf('batch-ok-2')).toBe(1);
  });

  it('fails every send of a batch the database cannot take', async () => {
    const closed = await DatabaseService.open({ kind: 'memory' });
    await closed.onApplicationShutdown();
    const outage = new NotificationWriteBatcher(new NotificationsRepository(closed));
    const outcomes = await Promise.allSettled(
      ['batch-down-1', 'batch-down-2'].map((userId) =>
        outage.store({ userIds: [userId], content: { title: 't', message: 'm' } }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  }, 60_000);

  async function unreadCountOf(userId: string): Promise<number> {
    return (await repository.unreadCounts([userId])).get(userId) ?? 0;
  }
});
