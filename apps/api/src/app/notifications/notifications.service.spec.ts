import { toErrorDetail } from '@herald/realtime';
import { ErrorCode, ServerEvent, type Notification } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
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

    it('stores concurrent sends with one INSERT and reads their counts with one grouped query', async () => {
      const inserts = vi.spyOn(repository, 'insertSends');
      const countQueries = vi.spyOn(repository, 'unreadCounts');
      const userIds = Array.from({ length: 25 }, (_, i) => `concurrent-${i}`);

      const answers = await Promise.all(
        userIds.map((userId, i) => service.send([userId], { title: `t${i}`, message: 'm' })),
      );

      expect(inserts).toHaveBeenCalledTimes(1);
      expect(countQueries).toHaveBeenCalledTimes(1);
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
      for (const attempt of [
        () => service.markRead('intruder', first.id),
        () => service.delete('intruder', first.id),
      ]) {
        const error = await attempt().catch((e: unknown) => e);
        expect(toErrorDetail(error)).toMatchObject({ code: ErrorCode.NotFound });
      }
      expect(await service.markAllRead('intruder')).toEqual({ updated: 0, unreadCount: 0 });

      const stillUnread = await service.list('reader', { unread: true, limit: 10 });
      expect(stillUnread.items.map((n) => n.id)).toEqual([second.id, first.id]);
      expect(inbox.ws.toUser('reader')).toEqual([]);
    });
  });
});
