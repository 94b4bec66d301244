import { toErrorDetail } from '@herald/realtime';
import { ErrorCode, ServerEvent, type Notification } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import { DeliveryMetrics } from '../metrics/delivery.metrics';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { createInboxTestModule, type InboxTestModule } from './testing/inbox-test-module';

/** The real service on an in-memory PGlite; the WebSocketService records what is pushed. */
describe('NotificationsService', () => {
  let inbox: InboxTestModule;
  let service: NotificationsService;
  let repository: NotificationsRepository;

  beforeAll(async () => {
    inbox = await createInboxTestModule();
    service = inbox.module.get(NotificationsService);
    repository = inbox.module.get(NotificationsRepository);
  }, 60_000);
  afterAll(() => inbox?.module.close());
  beforeEach(() => {
    inbox.ws.clear();
    vi.restoreAllMocks();
  });

  describe('send', () => {
    it('stores one notification per distinct recipient, then pushes it and the unread count', async () => {
      const stored = await service.send(['send-a', 'send-b', 'send-a'], {
        title: 'Hello',
        message: 'World',
        data: { orderId: 7 },
      });

      expect(stored.map((n) => n.userId)).toEqual(['send-a', 'send-b']);
      for (const userId of ['send-a', 'send-b']) {
        const [record] = stored.filter((n) => n.userId === userId);
        expect((await service.list(userId, { unread: false, limit: 10 })).items).toEqual([record]);
        // The count pushed after the notification already includes it: it was read after the insert.
        expect(inbox.ws.toUser(userId)).toEqual([
          [ServerEvent.NotificationNew, { notification: record, timestamp: expect.any(String) }],
          [ServerEvent.NotificationUnreadCount, { unreadCount: 1 }],
        ]);
      }
    });

    it('stores concurrent sends with one INSERT that also reads their counts (PGlite: no count query)', async () => {
      const inserts = vi.spyOn(repository, 'insertSendsCounting');
      const countQueries = vi.spyOn(repository, 'unreadCounts');
      const userIds = Array.from({ length: 25 }, (_, i) => `concurrent-${i}`);

      const answers = await Promise.all(
        userIds.map((userId, i) => service.send([userId], { title: `t${i}`, message: 'm' })),
      );

      expect(inserts).toHaveBeenCalledTimes(1);
      expect(countQueries).not.toHaveBeenCalled();
      answers.forEach(([record], i) => {
        expect(record).toMatchObject({ userId: userIds[i], title: `t${i}` });
        expect(inbox.ws.toUser(userIds[i] as string)).toEqual([
          [ServerEvent.NotificationNew, { notification: record, timestamp: expect.any(String) }],
          [ServerEvent.NotificationUnreadCount, { unreadCount: 1 }],
        ]);
      });
    });

    it('pushes a recipient of several concurrent sends every notification, in order, then one count', async () => {
      const answers = await Promise.all(
        [1, 2, 3, 4, 5].map((i) => service.send(['shared'], { title: `t${i}`, message: 'm' })),
      );

      const pushed = inbox.ws.toUser('shared');
      expect(pushed.map(([, payload]) => payload)).toEqual([
        ...answers.map(([notification]) => ({ notification, timestamp: expect.any(String) })),
        { unreadCount: 5 },
      ]);
    });

    it('fails only the send whose data the database refuses, storing and pushing none of it', async () => {
      const outcomes = await Promise.allSettled([
        service.send(['refused-ok-1'], { title: 'ok', message: 'm' }),
        service.send(['refused-bad-1', 'refused-bad-2'], {
          title: 'x',
          message: 'm',
          data: { v: '\u0000' },
        }),
        service.send(['refused-ok-2'], { title: 'ok', message: 'm' }),
      ]);

      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(toErrorDetail((outcomes[1] as PromiseRejectedResult).reason).code).toBe(
        ErrorCode.InvalidPayload,
      );
      // All or nothing: neither recipient of the refused send has it, or heard of it.
      for (const userId of ['refused-bad-1', 'refused-bad-2']) {
        expect(await service.unreadCount(userId)).toBe(0);
        expect(inbox.ws.toUser(userId)).toEqual([]);
      }
      for (const userId of ['refused-ok-1', 'refused-ok-2']) {
        expect(await service.unreadCount(userId)).toBe(1);
        expect(inbox.ws.toUser(userId).map(([event]) => event)).toEqual([
          ServerEvent.NotificationNew,
          ServerEvent.NotificationUnreadCount,
        ]);
      }
    });

    it('answers one record for `userId` and the list for `userIds`', async () => {
      const one = await service.sendRequested({ userId: 'shape-1', title: 't', message: 'm' });
      const many = await service.sendRequested({
        userIds: ['shape-2', 'shape-3'],
        title: 't',
        message: 'm',
      });

      expect(one).toMatchObject({ userId: 'shape-1', type: 'info' });
      expect((many as Notification[]).map((n) => n.userId)).toEqual(['shape-2', 'shape-3']);
    });
  });

  describe('after the commit', () => {
    it('pushes a count read with the insert as it is, unless a request in its batch needs it read', async () => {
      const [stored] = await repository.insertSends([
        { userIds: ['known-a'], content: { title: 't', message: 'm' } },
      ]);
      const countQueries = vi.spyOn(repository, 'unreadCounts');
      inbox.ws.clear();

      // Alone: the count it brought (99 stands for it) is pushed, nothing is read.
      await service.publish(stored as Notification[], new Map([['known-a', 99]]));
      expect(countQueries).not.toHaveBeenCalled();
      expect(inbox.ws.toUser('known-a').at(-1)).toEqual([
        ServerEvent.NotificationUnreadCount,
        { unreadCount: 99 },
      ]);

      // With a request for the same user that brings none: the user is read, and that is pushed.
      const [, answered] = await Promise.all([
        service.publish(stored as Notification[], new Map([['known-a', 99]])),
        service.unreadCount('known-a'),
      ]);
      expect(countQueries).toHaveBeenCalledTimes(1);
      expect(answered).toBe(1);
      expect(inbox.ws.toUser('known-a').at(-1)).toEqual([
        ServerEvent.NotificationUnreadCount,
        { unreadCount: 1 },
      ]);
    });

    it('answers success when the unread-count query fails after the INSERT committed', async () => {
      // As on PostgreSQL: the insert brings no counts, a count query follows the commit.
      const insertSends = repository.insertSends.bind(repository);
      vi.spyOn(repository, 'insertSendsCounting').mockImplementation(async (sends) => ({
        stored: await insertSends(sends),
      }));
      vi.spyOn(repository, 'unreadCounts').mockRejectedValue(new Error('database went away'));
      const failures = inbox.module.get(DeliveryMetrics).postCommitFailures;
      const before = (await failures.get()).values.find((v) => v.labels.step === 'publish');

      const outcomes = await Promise.allSettled(
        ['post-commit-a', 'post-commit-b'].map((userId) =>
          service.send([userId], { title: 'kept', message: 'm' }),
        ),
      );

      // Every caller of the batch is told its rows are stored: a retry would store copies.
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
      vi.restoreAllMocks();
      for (const userId of ['post-commit-a', 'post-commit-b']) {
        expect((await service.list(userId, { unread: false, limit: 10 })).items).toHaveLength(1);
        expect(inbox.ws.toUser(userId).map(([event]) => event)).toEqual([
          ServerEvent.NotificationNew,
        ]);
      }
      const after = (await failures.get()).values.find((v) => v.labels.step === 'publish');
      expect((after?.value ?? 0) - (before?.value ?? 0)).toBe(2);
    });
  });

  describe('receipts', () => {
    it('sets deliveredAt once, with one UPDATE for receipts that arrive together, and counts the latency', async () => {
      const [first, second] = await service
        .send(['receipt-a'], { title: 't', message: 'm' })
        .then(async (a) => [
          ...a,
          ...(await service.send(['receipt-a'], { title: 't2', message: 'm' })),
        ]);
      const [foreign] = await service.send(['receipt-b'], { title: 't', message: 'm' });
      const updates = vi.spyOn(repository, 'markDelivered');
      const latency = inbox.module.get(DeliveryMetrics).latency;
      const countBefore = await histogramCount(latency);

      await Promise.all([
        service.recordReceipts('receipt-a', [(first as Notification).id]),
        service.recordReceipts('receipt-a', [
          (first as Notification).id,
          (second as Notification).id,
        ]),
        // Another user's id is ignored, not refused.
        service.recordReceipts('receipt-a', [(foreign as Notification).id]),
      ]);

      expect(updates).toHaveBeenCalledTimes(1);
      expect(await histogramCount(latency)).toBe(countBefore + 2);
      const status = await service.status((first as Notification).id);
      expect(status).toMatchObject({ userId: 'receipt-a', readAt: null, escalations: [] });
      expect(status.deliveredAt).not.toBeNull();
      expect((await service.status((foreign as Notification).id)).deliveredAt).toBeNull();

      // A later receipt changes nothing.
      await service.recordReceipts('receipt-a', [(first as Notification).id]);
      expect((await service.status((first as Notification).id)).deliveredAt).toBe(
        status.deliveredAt,
      );
      expect(await histogramCount(latency)).toBe(countBefore + 2);
    });

    it('answers NOT_FOUND for the status of an unknown notification', async () => {
      await expect(service.status('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
        code: ErrorCode.NotFound,
      });
    });
  });

  describe('expiry', () => {
    it('leaves expired notifications out of lists and unread counts before any sweep', async () => {
      const [expiring] = await service.send(['expiry-a'], {
        title: 'soon gone',
        message: 'm',
        expiresAt: new Date(Date.now() + 150).toISOString(),
      });
      await service.send(['expiry-a'], { title: 'stays', message: 'm' });
      expect((expiring as Notification).expiresAt).not.toBeNull();
      expect(await service.unreadCount('expiry-a')).toBe(2);
      await vi.waitFor(async () => expect(await service.unreadCount('expiry-a')).toBe(1));
      const page = await service.list('expiry-a', { unread: false, limit: 10 });
      expect(page.items.map((n) => n.title)).toEqual(['stays']);
    });
  });

  describe('storeIn and publish', () => {
    it("stores with the caller's transaction and pushes only when the caller publishes", async () => {
      const database = inbox.module.get(DatabaseService);
      const stored = await database.transaction((tx) =>
        service.storeIn(tx, [
          { userIds: ['tx-user'], content: { title: 'one', message: 'm', type: 'achievement' } },
          { userIds: ['tx-user'], content: { title: 'two', message: 'm', type: 'achievement' } },
        ]),
      );
      expect(stored.map((n) => n.title)).toEqual(['one', 'two']);
      expect(inbox.ws.toUser('tx-user')).toEqual([]);

      await service.publish(stored);
      expect(inbox.ws.toUser('tx-user').map(([, payload]) => payload)).toEqual([
        { notification: stored[0], timestamp: expect.any(String) },
        { notification: stored[1], timestamp: expect.any(String) },
        { unreadCount: 2 },
      ]);
    });

    it('stores nothing when the transaction rolls back', async () => {
      const database = inbox.module.get(DatabaseService);
      const rollback = new Error('the caller failed after storing');
      await expect(
        database.transaction(async (tx) => {
          await service.storeIn(tx, [
            { userIds: ['tx-rolled-back'], content: { title: 't', message: 'm' } },
          ]);
          throw rollback;
        }),
      ).rejects.toBe(rollback);
      expect(await service.unreadCount('tx-rolled-back')).toBe(0);
    });
  });

  describe('unreadCount', () => {
    it('answers concurrent readers with one grouped query and pushes nothing', async () => {
      await service.send(['reader-1'], { title: 't', message: 'm' });
      inbox.ws.clear();
      const countQueries = vi.spyOn(repository, 'unreadCounts');

      const counts = await Promise.all(
        ['reader-1', 'reader-1', 'reader-2'].map((userId) => service.unreadCount(userId)),
      );

      expect(counts).toEqual([1, 1, 0]);
      expect(countQueries).toHaveBeenCalledTimes(1);
      expect(inbox.ws.emits).toEqual([]);
    });
  });

  describe('read state', () => {
    let first: Notification;
    let second: Notification;

    beforeEach(async () => {
      [first] = await service.send(['reader'], { title: 'first', message: 'm' });
      [second] = await service.send(['reader'], { title: 'second', message: 'm' });
      inbox.ws.clear();
    });
    afterEach(async () => {
      await service.markAllRead('reader');
    });

    it('marks one read and tells every device of the user, then the new count', async () => {
      const result = await service.markRead('reader', first.id);

      expect(result).toEqual({ notificationId: first.id, unreadCount: 1 });
      expect(inbox.ws.toUser('reader')).toEqual([
        [ServerEvent.NotificationRead, { notificationId: first.id, success: true }],
        [ServerEvent.NotificationUnreadCount, { unreadCount: 1 }],
      ]);
      const unread = await service.list('reader', { unread: true, limit: 10 });
      expect(unread.items.map((n) => n.id)).toEqual([second.id]);
    });

    it('marks all read and tells every device of the user', async () => {
      const result = await service.markAllRead('reader');

      expect(result).toEqual({ updated: 2, unreadCount: 0 });
      expect(inbox.ws.toUser('reader')).toEqual([
        [ServerEvent.NotificationRead, { notificationId: null, success: true, all: true }],
        [ServerEvent.NotificationUnreadCount, { unreadCount: 0 }],
      ]);
    });

    it('deletes one and tells every device of the user', async () => {
      const result = await service.delete('reader', second.id);

      expect(result).toEqual({ notificationId: second.id, unreadCount: 1 });
      expect(inbox.ws.toUser('reader')).toEqual([
        [ServerEvent.NotificationDeleted, { notificationId: second.id }],
        [ServerEvent.NotificationUnreadCount, { unreadCount: 1 }],
      ]);
      const all = await service.list('reader', { unread: false, limit: 10 });
      expect(all.items.map((n) => n.id)).not.toContain(second.id);
      await service.delete('reader', first.id);
    });

    it("answers NOT_FOUND for another user's notification, changes nothing and pushes nothing", async () => {
      const unreadBefore = await service.list('reader', { unread: true, limit: 10 });
      expect(unreadBefore.items.map((n) => n.id).sort()).toEqual([second.id, first.id].sort());
      for (const attempt of [
        () => service.markRead('intruder', first.id),
        () => service.delete('intruder', first.id),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(toErrorDetail(error)).toMatchObject({ code: ErrorCode.NotFound });
      }
      expect(await service.markAllRead('intruder')).toEqual({ updated: 0, unreadCount: 0 });

      // The same list, in the same order. (Which of the two comes first is not asserted: two
      // sends within one millisecond of the embedded database's clock share `created_at`,
      // and the list breaks such ties by id.)
      expect(await service.list('reader', { unread: true, limit: 10 })).toEqual(unreadBefore);
      expect(inbox.ws.toUser('reader')).toEqual([]);
    });
  });
});

async function histogramCount(histogram: DeliveryMetrics['latency']): Promise<number> {
  const values = (await histogram.get()).values;
  return values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
}
