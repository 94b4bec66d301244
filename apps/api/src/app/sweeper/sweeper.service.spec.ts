import { ServerEvent } from '@herald/ws-contracts';
import { sql } from 'drizzle-orm';
import { APP_CONFIG, loadConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { idempotencyKeys } from '../idempotency/idempotency.schema';
import { notifications } from '../notifications/notifications.schema';
import { NotificationsService } from '../notifications/notifications.service';
import {
  createInboxTestModule,
  type InboxTestModule,
} from '../notifications/testing/inbox-test-module';
import { SWEEP_BATCH_SIZE, SweeperService } from './sweeper.service';

/** The sweeper on an in-memory PGlite; rows are dated directly in the table. */
describe('SweeperService', () => {
  let inbox: InboxTestModule;
  let sweeper: SweeperService;
  let database: DatabaseService;
  let service: NotificationsService;

  beforeAll(async () => {
    inbox = await createInboxTestModule([SweeperService]);
    // One long interval: the tests run sweeps themselves.
    inbox.module.get<{ sweeper: object }>(APP_CONFIG).sweeper = {
      intervalMs: 3_600_000,
      retentionDays: loadConfig({}).sweeper.retentionDays,
    };
    sweeper = inbox.module.get(SweeperService);
    database = inbox.module.get(DatabaseService);
    service = inbox.module.get(NotificationsService);
  }, 60_000);
  afterAll(() => inbox?.module.close());
  beforeEach(() => inbox.ws.clear());

  it('deletes expired notifications in batches and tells their devices, with the new count', async () => {
    const userIds = Array.from({ length: SWEEP_BATCH_SIZE + 5 }, (_, i) => `sweep-${i % 3}-${i}`);
    const stored = await service.send(userIds, { title: 't', message: 'm' });
    await service.send(['sweep-0-0'], { title: 'stays', message: 'm' });
    await database.run((db) =>
      db
        .update(notifications)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(sql`${notifications.title} = 't'`),
    );
    inbox.ws.clear();
    const deletes = vi.spyOn(database, 'transaction');

    const result = await sweeper.sweep();

    expect(result.expired).toBe(stored.length);
    // Two batches of expired rows (plus one empty batch each for retention and keys).
    expect(deletes.mock.calls.length).toBe(4);
    expect(inbox.ws.toUser('sweep-0-0')).toEqual([
      [ServerEvent.NotificationDeleted, { notificationId: stored[0]?.id }],
      [ServerEvent.NotificationUnreadCount, { unreadCount: 1 }],
    ]);
    expect((await sweeper.sweep()).expired).toBe(0);
  });

  it('deletes read notifications older than RETENTION_DAYS and keeps unread ones', async () => {
    const [oldRead, oldUnread, recentRead] = await service.send(
      ['retention-a', 'retention-b', 'retention-c'],
      { title: 'r', message: 'm' },
    );
    await database.run((db) =>
      db
        .update(notifications)
        .set({ createdAt: sql`now() - interval '91 days'` })
        .where(sql`${notifications.id} in (${oldRead?.id}, ${oldUnread?.id})`),
    );
    await service.markAllRead('retention-a');
    await service.markAllRead('retention-c');

    expect((await sweeper.sweep()).retention).toBe(1);
    expect((await service.list('retention-a', { unread: false, limit: 5 })).items).toEqual([]);
    expect((await service.list('retention-b', { unread: false, limit: 5 })).items).toHaveLength(1);
    expect((await service.list('retention-c', { unread: false, limit: 5 })).items[0]?.id).toBe(
      recentRead?.id,
    );
  });

  it('deletes idempotency keys past their window', async () => {
    await database.run((db) =>
      db.insert(idempotencyKeys).values([
        { scope: 's', key: 'old', fingerprint: 'f', expiresAt: new Date(Date.now() - 1_000) },
        { scope: 's', key: 'new', fingerprint: 'f', expiresAt: new Date(Date.now() + 60_000) },
      ]),
    );
    expect((await sweeper.sweep()).idempotencyKeys).toBe(1);
    const left = await database.run((db) => db.select().from(idempotencyKeys));
    expect(left.map((row) => row.key)).toEqual(['new']);
  });
});
