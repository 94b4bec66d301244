import { ErrorCode } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { fingerprintOf, type IdempotentRequest } from '../idempotency/idempotent-request';
import {
  NotificationWriteBatcher,
  type WriteOutcome,
  type WriteRequest,
} from './notification-write-batcher';
import type { NotificationSend } from './notification-send';
import { NotificationsRepository } from './notifications.repository';

/** The records of a request that was stored (not replayed): one list per send. */
function recordsOfEach(outcome: WriteOutcome) {
  if (outcome.replayed) throw new Error('expected a stored send, got a replay');
  return outcome.records;
}

/** The records of a one-send request that was stored (not replayed). */
function records(outcome: WriteOutcome) {
  return recordsOfEach(outcome)[0] as NonNullable<ReturnType<typeof recordsOfEach>[0]>;
}

/** A request of one send (as `POST /api/notifications` makes). */
const one = (send: NotificationSend): WriteRequest => ({ sends: [send] });

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
    batcher = new NotificationWriteBatcher(repository, new IdempotencyRepository(), database, {
      notificationWrites: { intervalMs: 0 },
    });
  });

  it('stores concurrent sends to different users with one INSERT and answers each its own records', async () => {
    const inserts = vi.spyOn(repository, 'insertSendsCounting');
    const sends = Array.from({ length: 20 }, (_, i) => ({
      userIds: [`batch-a-${i}`, `batch-b-${i}`],
      // Every other send without data: null and JSON values side by side in one statement.
      content: {
        title: `title ${i}`,
        message: `message ${i}`,
        data: i % 2 ? undefined : { seq: i },
      },
    }));
    const answers = await Promise.all(
      sends.map(async (send) => records(await batcher.store(one(send)))),
    );

    answers.forEach((stored, i) => {
      expect(stored.map((r) => r.userId)).toEqual([`batch-a-${i}`, `batch-b-${i}`]);
      for (const r of stored) {
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
      Array.from({ length: 7 }, async (_, i) =>
        records(
          await batcher.store(
            one({ userIds: ['batch-shared'], content: { title: `t${i}`, message: 'm' } }),
          ),
        ),
      ),
    );
    expect(new Set(answers.map(([r]) => r?.title))).toEqual(
      new Set(Array.from({ length: 7 }, (_, i) => `t${i}`)),
    );
    expect(await unreadCountOf('batch-shared')).toBe(7);
  });

  it('lists sends stored by one INSERT newest first, in the order they were sent', async () => {
    const inserts = vi.spyOn(repository, 'insertSendsCounting');
    const titles = Array.from({ length: 12 }, (_, i) => `ordered ${i}`);
    await Promise.all(
      titles.map((title) =>
        batcher.store(one({ userIds: ['batch-ordered'], content: { title, message: 'm' } })),
      ),
    );
    expect(inserts).toHaveBeenCalledTimes(1);
    inserts.mockRestore();
    const inbox = await repository.list('batch-ordered', { unreadOnly: false, limit: 100 });
    // One statement: one created_at for all of them; the id keeps the sending order.
    expect(new Set(inbox.map((n) => n.createdAt)).size).toBe(1);
    expect(inbox.map((n) => n.title)).toEqual([...titles].reverse());
  });

  it('fails only the send whose data the database refuses; the others of the batch are stored', async () => {
    const outcomes = await Promise.allSettled([
      batcher.store(one({ userIds: ['batch-ok-1'], content: { title: 'ok', message: 'm' } })),
      batcher.store(
        one({
          userIds: ['batch-bad'],
          content: { title: 'x', message: 'm', data: { v: '\u0000' } },
        }),
      ),
      batcher.store(one({ userIds: ['batch-ok-2'], content: { title: 'ok', message: 'm' } })),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({
      code: ErrorCode.InvalidPayload,
    });
    expect(await unreadCountOf('batch-bad')).toBe(0);
    expect(await unreadCountOf('batch-ok-1')).toBe(1);
    expect(await unreadCountOf('batch-ok-2')).toBe(1);
  });

  it('stores the sends of one request together, answering the records of each in order', async () => {
    const outcome = await batcher.store({
      sends: [
        { userIds: ['multi-1', 'multi-2'], content: { title: 'first', message: 'm' } },
        { userIds: ['multi-1'], content: { title: 'second', message: 'm' } },
      ],
    });
    expect(recordsOfEach(outcome).map((stored) => stored.map((r) => [r.userId, r.title]))).toEqual([
      [
        ['multi-1', 'first'],
        ['multi-2', 'first'],
      ],
      [['multi-1', 'second']],
    ]);
    expect(await unreadCountOf('multi-1')).toBe(2);
  });

  it('stores no send of a request when the database refuses one of them; other requests of the batch are stored', async () => {
    const outcomes = await Promise.allSettled([
      batcher.store(one({ userIds: ['multi-ok'], content: { title: 'ok', message: 'm' } })),
      batcher.store({
        sends: [
          { userIds: ['multi-lost-1'], content: { title: 'fine', message: 'm' } },
          {
            userIds: ['multi-lost-2'],
            content: { title: 'x', message: 'm', data: { v: '\u0000' } },
          },
        ],
      }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected']);
    expect(await unreadCountOf('multi-ok')).toBe(1);
    expect(await unreadCountOf('multi-lost-1')).toBe(0);
    expect(await unreadCountOf('multi-lost-2')).toBe(0);
  });

  it('stores a trickle of sends that arrive within the write interval with one INSERT', async () => {
    const paced = new NotificationWriteBatcher(repository, new IdempotencyRepository(), database, {
      notificationWrites: { intervalMs: 500 },
    });
    const inserts = vi.spyOn(repository, 'insertSendsCounting');
    const send = (userId: string) =>
      paced.store(one({ userIds: [userId], content: { title: 't', message: 'm' } }));
    // The first send after a quiet spell is stored at once, on its own.
    await send('trickle-1');
    expect(inserts).toHaveBeenCalledTimes(1);
    // The next ones arrive one by one, each a turn of the event loop apart, while the
    // interval since that INSERT started runs: they wait for each other.
    const later: Promise<unknown>[] = [];
    for (const userId of ['trickle-2', 'trickle-3', 'trickle-4']) {
      later.push(send(userId));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(later);
    expect(inserts).toHaveBeenCalledTimes(2);
    expect(inserts.mock.calls[1]?.[0].flatMap((s) => s.userIds)).toEqual([
      'trickle-2',
      'trickle-3',
      'trickle-4',
    ]);
    inserts.mockRestore();
  });

  it('fails every send of a batch the database cannot take', async () => {
    const closed = await DatabaseService.open({ kind: 'memory' });
    await closed.onApplicationShutdown();
    const outage = new NotificationWriteBatcher(
      new NotificationsRepository(closed),
      new IdempotencyRepository(),
      closed,
      { notificationWrites: { intervalMs: 0 } },
    );
    const outcomes = await Promise.allSettled(
      ['batch-down-1', 'batch-down-2'].map((userId) =>
        outage.store(one({ userIds: [userId], content: { title: 't', message: 'm' } })),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  }, 60_000);

  describe('with an Idempotency-Key', () => {
    const keyed = (key: string, userId: string, title = 't'): WriteRequest => {
      const request: IdempotentRequest = {
        scope: 'test',
        key,
        fingerprint: fingerprintOf({ userId, title }),
      };
      return {
        sends: [{ userIds: [userId], content: { title, message: 'm' } }],
        idempotency: { request, answerOf: (stored) => ({ status: 201, body: stored[0]?.[0] }) },
      };
    };

    it('stores 50 concurrent sends with one key once; the others replay the first answer', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () => batcher.store(keyed('key-50', 'idem-50'))),
      );
      const stored = outcomes.filter((o) => !o.replayed);
      expect(stored).toHaveLength(1);
      const first = records(stored[0] as WriteOutcome)[0];
      for (const outcome of outcomes.filter((o) => o.replayed))
        expect(outcome).toEqual({ replayed: true, answer: { status: 201, body: first } });
      expect(await unreadCountOf('idem-50')).toBe(1);
    });

    it('replays a later send with the same key and body, storing nothing', async () => {
      const first = records(await batcher.store(keyed('key-later', 'idem-later')));
      const again = await batcher.store(keyed('key-later', 'idem-later'));
      expect(again).toEqual({
        replayed: true,
        answer: { status: 201, body: JSON.parse(JSON.stringify(first[0])) },
      });
      expect(await unreadCountOf('idem-later')).toBe(1);
    });

    it('refuses the same key with another body (IDEMPOTENCY_KEY_REUSED), alone in its batch', async () => {
      await batcher.store(keyed('key-reuse', 'idem-reuse', 'one'));
      const outcomes = await Promise.allSettled([
        batcher.store(keyed('key-reuse', 'idem-reuse', 'two')),
        batcher.store(one({ userIds: ['idem-bystander'], content: { title: 't', message: 'm' } })),
      ]);
      expect(outcomes[0]).toMatchObject({
        status: 'rejected',
        reason: { code: ErrorCode.IdempotencyKeyReused },
      });
      expect(outcomes[1]?.status).toBe('fulfilled');
      expect(await unreadCountOf('idem-reuse')).toBe(1);
      expect(await unreadCountOf('idem-bystander')).toBe(1);
    });

    it('releases the key of a send that failed, so its retry is stored', async () => {
      const insert = vi
        .spyOn(repository, 'insertSends')
        .mockRejectedValueOnce(new Error('connection lost'));
      await expect(batcher.store(keyed('key-retry', 'idem-retry'))).rejects.toThrow();
      insert.mockRestore();
      expect((await batcher.store(keyed('key-retry', 'idem-retry'))).replayed).toBe(false);
      expect(await unreadCountOf('idem-retry')).toBe(1);
    });
  });

  async function unreadCountOf(userId: string): Promise<number> {
    return (await repository.unreadCounts([userId])).get(userId) ?? 0;
  }
});
