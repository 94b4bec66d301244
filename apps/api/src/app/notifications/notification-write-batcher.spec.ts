import { ErrorCode, type Notification } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import { NotificationWriteBatcher } from './notification-write-batcher';
import { NotificationsRepository } from './notifications.repository';

/** Against a real (in-memory PGlite) database; the publisher records what would be pushed. */
describe('NotificationWriteBatcher', () => {
  let database: DatabaseService;
  let repository: NotificationsRepository;
  let published: Notification[][];
  let batcher: NotificationWriteBatcher;

  beforeAll(async () => {
    database = await DatabaseService.open({ kind: 'memory' });
    repository = new NotificationsRepository(database);
  }, 60_000);
  afterAll(() => database?.onApplicationShutdown());
  beforeEach(() => {
    published = [];
    batcher = new NotificationWriteBatcher(repository, async (stored) => {
      published.push([...stored]);
    });
  });

  it('stores concurrent sends to different users in one batch and answers each its own records', async () => {
    const sends = Array.from({ length: 20 }, (_, i) => ({
      userIds: [`batch-a-${i}`, `batch-b-${i}`],
      // Every other send without data: null and JSON values side by side in one statement.
      content: {
        title: `title ${i}`,
        message: `message ${i}`,
        data: i % 2 ? undefined : { seq: i },
      },
    }));
    const answers = await Promise.all(sends.map((send) => batcher.send(send)));

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
    expect(published).toHaveLength(1);
    expect(published[0]).toHaveLength(40);
    const counts = await repository.unreadCounts(sends.flatMap((s) => s.userIds));
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('counts every notification when concurrent sends share a recipient', async () => {
    const answers = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        batcher.send({ userIds: ['batch-shared'], content: { title: `t${i}`, message: 'm' } }),
      ),
    );
    expect(new Set(answers.map(([r]) => r?.title))).toEqual(
      new Set(Array.from({ length: 7 }, (_, i) => `t${i}`)),
    );
    expect(await repository.unreadCount('batch-shared')).toBe(7);
  });

  it('fails only the send whose data the database refuses; the others of the batch are stored', async () => {
    const outcomes = await Promise.allSettled([
      batcher.send({ userIds: ['batch-ok-1'], content: { title: 'ok', message: 'm' } }),
      batcher.send({
        userIds: ['batch-bad'],
        content: { title: 'x', message: 'm', data: { v: '\u0000' } },
      }),
      batcher.send({ userIds: ['batch-ok-2'], content: { title: 'ok', message: 'm' } }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      code: ErrorCode.InvalidPayload,
    });
    expect(await repository.unreadCount('batch-bad')).toBe(0);
    expect(await repository.unreadCount('batch-ok-1')).toBe(1);
    expect(await repository.unreadCount('batch-ok-2')).toBe(1);
    expect(
      published
        .flat()
        .map((n) => n.userId)
        .sort(),
    ).toEqual(['batch-ok-1', 'batch-ok-2']);
  });

  it('fails every send of a batch the database cannot take, and stores and pushes none of it', async () => {
    const closed = await DatabaseService.open({ kind: 'memory' });
    await closed.onApplicationShutdown();
    const outage = new NotificationWriteBatcher(
      new NotificationsRepository(closed),
      async (stored) => {
        published.push([...stored]);
      },
    );
    const outcomes = await Promise.allSettled(
      ['batch-down-1', 'batch-down-2'].map((userId) =>
        outage.send({ userIds: [userId], content: { title: 't', message: 'm' } }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(published).toEqual([]);
  }, 60_000);
});
