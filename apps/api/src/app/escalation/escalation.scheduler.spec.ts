import { eq } from 'drizzle-orm';
import type { Preferences } from '@herald/ws-contracts';
import type { WebSocketService } from '@herald/realtime';
import type {
  EscalationMessage,
  EscalationSender,
  SendOutcome,
} from '../channels/escalation-channel';
import { loadConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import { NotificationInsertHooks } from '../notifications/notification-insert-hooks';
import { NotificationsRepository } from '../notifications/notifications.repository';
import { notifications as notificationsTable } from '../notifications/notifications.schema';
import { PreferencesRepository } from '../preferences/preferences.repository';
import { PreferencesService } from '../preferences/preferences.service';
import { UsersRepository } from '../users/users.repository';
import { Clock } from './clock';
import { EscalationModule } from './escalation.module';
import { EscalationRepository } from './escalation.repository';
import { escalations } from './escalation.schema';
import { EscalationScheduler, allows } from './escalation.scheduler';

class FixedClock extends Clock {
  constructor(public instant: Date) {
    super();
  }
  now(): Date {
    return this.instant;
  }
}

/** A channel that records what it is asked to send and answers from a script. */
class RecordingSender implements EscalationSender {
  readonly sent: EscalationMessage[] = [];
  answers: SendOutcome[] = [];
  constructor(readonly channel: 'webhook' | 'email') {}
  async send(message: EscalationMessage): Promise<SendOutcome> {
    this.sent.push(message);
    return this.answers.shift() ?? { status: 'sent' };
  }
}

const DEFAULTS: Preferences = {
  channels: { email: true, webhook: true },
  types: {},
  quietHours: null,
};

/** The scheduler on an in-memory PGlite, with a fixed clock and recording channels. */
describe('EscalationScheduler', () => {
  let database: DatabaseService;
  let notifications: NotificationsRepository;
  let preferences: PreferencesRepository;
  let clock: FixedClock;
  let webhook: RecordingSender;
  let email: RecordingSender;
  let scheduler: EscalationScheduler;

  beforeAll(async () => {
    database = await DatabaseService.open({ kind: 'memory' });
    const config = loadConfig({
      ESCALATION_WEBHOOK_URL: 'https://hooks.example.com/herald',
      WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'herald@example.com',
      WEBHOOK_RETRY_SECONDS: '0,0',
    });
    const hooks = new NotificationInsertHooks();
    notifications = new NotificationsRepository(database, hooks);
    preferences = new PreferencesRepository(database);
    const repository = new EscalationRepository(database);
    webhook = new RecordingSender('webhook');
    email = new RecordingSender('email');
    new EscalationModule(config, [webhook, email], hooks, repository).onModuleInit();
    clock = new FixedClock(new Date());
    const pushes = { emitToUser: () => true } as unknown as WebSocketService;
    scheduler = new EscalationScheduler(
      config,
      [webhook, email],
      repository,
      new PreferencesService(preferences, pushes),
      new UsersRepository(database),
      clock,
      { count: () => undefined },
    );
  }, 60_000);
  afterAll(() => database?.onApplicationShutdown());
  beforeEach(() => {
    webhook.sent.length = 0;
    email.sent.length = 0;
  });

  const store = async (userId: string, type = 'info', escalateAfterSeconds = 0) => {
    const [[stored]] = await notifications.insertSends([
      {
        userIds: [userId],
        content: { title: 't', message: 'm', type },
        escalation: { escalateAfterSeconds },
      },
    ]);
    return stored as NonNullable<typeof stored>;
  };
  const rowsOf = (notificationId: string) =>
    database.db
      .select()
      .from(escalations)
      .where(eq(escalations.notificationId, notificationId))
      .orderBy(escalations.channel);

  it('schedules one row per configured channel with the notification, and nothing for escalate: false', async () => {
    const stored = await store('rows-user', 'info', 30);
    expect((await rowsOf(stored.id)).map((r) => [r.channel, r.status])).toEqual([
      ['email', 'pending'],
      ['webhook', 'pending'],
    ]);
    const [[silent]] = await notifications.insertSends([
      {
        userIds: ['rows-user'],
        content: { title: 't', message: 'm' },
        escalation: { escalate: false },
      },
    ]);
    expect(await rowsOf(silent?.id as string)).toEqual([]);
  });

  it('holds a due escalation during quiet hours until their end, decided by the clock', async () => {
    await preferences.put('night-owl', {
      ...DEFAULTS,
      quietHours: { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' },
    });
    const stored = await store('night-owl');
    // 23:30 in Berlin: quiet until 07:00 Berlin the next morning (06:00 UTC).
    clock.instant = new Date('2026-01-15T22:30:00Z');
    await scheduler.runOnce();
    expect(webhook.sent).toHaveLength(0);
    for (const row of await rowsOf(stored.id)) {
      expect(row.status).toBe('pending');
      expect(row.dueAt.toISOString()).toBe('2026-01-16T06:00:00.000Z');
      expect(row.attempts).toBe(0);
    }
    // 06:59 Berlin: still quiet (the row is due for the database, not for the user).
    clock.instant = new Date('2026-01-16T05:59:00Z');
    await scheduler.runOnce();
    expect(webhook.sent).toHaveLength(0);
    // 07:00 Berlin: out it goes, once per channel.
    clock.instant = new Date('2026-01-16T06:00:00Z');
    await scheduler.runOnce();
    await scheduler.runOnce();
    expect(webhook.sent.map((m) => m.notification.id)).toEqual([stored.id]);
    expect(email.sent.map((m) => m.notification.id)).toEqual([stored.id]);
    expect((await rowsOf(stored.id)).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('skips the channels the preferences turn off, per channel and per type', async () => {
    clock.instant = new Date();
    await preferences.put('picky', {
      channels: { email: false, webhook: true },
      types: { chat: { webhook: false }, billing: { email: true } },
      quietHours: null,
    });
    const chat = await store('picky', 'chat');
    const billing = await store('picky', 'billing');
    await scheduler.runOnce();
    expect((await rowsOf(chat.id)).map((r) => r.status)).toEqual(['skipped', 'skipped']);
    expect((await rowsOf(billing.id)).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(webhook.sent.map((m) => m.notification.id)).toEqual([billing.id]);
  });

  it('retries a failed attempt on the schedule, then records it failed, with the same id', async () => {
    const stored = await store('unlucky');
    webhook.answers = [
      { status: 'failed', error: 'answered HTTP 500' },
      { status: 'failed', error: 'answered HTTP 500' },
      { status: 'failed', error: 'answered HTTP 503' },
    ];
    for (let i = 0; i < 3; i++) await scheduler.runOnce();
    const ids = webhook.sent
      .filter((m) => m.notification.id === stored.id)
      .map((m) => m.escalationId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    const row = (await rowsOf(stored.id)).find((r) => r.channel === 'webhook');
    expect(row).toMatchObject({ status: 'failed', attempts: 3, lastError: 'answered HTTP 503' });
    await scheduler.runOnce();
    expect(webhook.sent.filter((m) => m.notification.id === stored.id)).toHaveLength(3);
  });

  it('never sends what was read or received before its time', async () => {
    const read = await store('reader');
    const received = await store('reader');
    await notifications.markRead('reader', read.id);
    // The first receipt sets delivered_at (the receipts feature); here, on the row.
    await database.db
      .update(notificationsTable)
      .set({ deliveredAt: new Date() })
      .where(eq(notificationsTable.id, received.id));
    await scheduler.runOnce();
    expect(webhook.sent).toHaveLength(0);
    expect((await rowsOf(read.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    expect((await rowsOf(received.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });
});

describe('allows', () => {
  it('lets a type switch win over the channel switch, both defaulting to on', () => {
    const prefs: Preferences = {
      channels: { email: false, webhook: true },
      types: { billing: { email: true }, chat: { webhook: false } },
      quietHours: null,
    };
    expect(allows(prefs, 'email', 'billing')).toBe(true);
    expect(allows(prefs, 'email', 'news')).toBe(false);
    expect(allows(prefs, 'webhook', 'chat')).toBe(false);
    expect(allows(prefs, 'webhook', 'toString')).toBe(true);
  });
});
