import { randomUUID } from 'node:crypto';
import { RealtimeEventRegistry, toErrorDetail, type AuthenticatedUser } from '@herald/realtime';
import { ClientEvent, ErrorCode, ServerEvent, type Notification } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import { NotificationsRealtimeHandlers } from './notifications.realtime';
import { NotificationsService } from './notifications.service';
import { createInboxTestModule, type InboxTestModule } from './testing/inbox-test-module';

type Ack = { ok: true } & Record<string, unknown>;
type Nack = { ok: false; error: { code: string; message: string } };

const reader: AuthenticatedUser = {
  userId: 'socket-reader',
  email: null,
  role: null,
  expiresAt: null,
};
const intruder: AuthenticatedUser = {
  userId: 'socket-intruder',
  email: null,
  role: null,
  expiresAt: null,
};

/**
 * The inbox's socket handlers as the gateway runs them: looked up in the registry the app
 * registers them in, the payload validated with the registered schema, the outcome turned
 * into the acknowledgement with the gateway's error mapping. Real service and in-memory
 * PGlite; the WebSocketService records what is pushed.
 */
describe('NotificationsRealtimeHandlers', () => {
  let inbox: InboxTestModule;
  let registry: RealtimeEventRegistry;
  let service: NotificationsService;
  let first: Notification;
  let second: Notification;

  beforeAll(async () => {
    inbox = await createInboxTestModule([RealtimeEventRegistry, NotificationsRealtimeHandlers]);
    registry = inbox.module.get(RealtimeEventRegistry);
    service = inbox.module.get(NotificationsService);
  }, 60_000);
  afterAll(() => inbox?.module.close());
  beforeEach(async () => {
    await service.markAllRead(reader.userId);
    [first] = await service.send([reader.userId], { title: 'first', message: 'm' });
    [second] = await service.send([reader.userId], { title: 'second', message: 'm' });
    inbox.ws.clear();
  });

  /** What the gateway does with a client event sent with an acknowledgement. */
  async function emitWithAck(
    user: AuthenticatedUser,
    event: string,
    payload: unknown,
  ): Promise<Ack | Nack> {
    const registration = registry.registrationFor(event);
    if (!registration)
      return { ok: false, error: { code: ErrorCode.UnknownEvent, message: event } };
    const parsed = registration.schema.safeParse(payload);
    if (!parsed.success)
      return {
        ok: false,
        error: { code: ErrorCode.InvalidPayload, message: parsed.error.message },
      };
    try {
      const result = (await registration.handler(
        { user, socketId: 'socket-1' },
        parsed.data as never,
      )) as object | undefined;
      return { ok: true, ...(result ?? {}) };
    } catch (error) {
      return { ok: false, error: toErrorDetail(error) };
    }
  }

  it('registers the three inbox commands of the contract', () => {
    for (const event of [ClientEvent.MarkRead, ClientEvent.MarkAllRead, ClientEvent.Delete])
      expect(registry.registrationFor(event)).toBeDefined();
  });

  it('mark_read marks the notification read, acks the new count and tells every device', async () => {
    const ack = await emitWithAck(reader, ClientEvent.MarkRead, { notificationId: first.id });

    expect(ack).toEqual({ ok: true, notificationId: first.id, unreadCount: 1 });
    expect(inbox.ws.toUser(reader.userId)).toEqual([
      [ServerEvent.NotificationRead, { notificationId: first.id, success: true }],
      [ServerEvent.NotificationUnreadCount, { unreadCount: 1 }],
    ]);
    expect(await service.unreadCount(reader.userId)).toBe(1);
  });

  it('mark_all_read marks every notification read and tells every device', async () => {
    const ack = await emitWithAck(reader, ClientEvent.MarkAllRead, {});

    expect(ack).toEqual({ ok: true, updated: 2, unreadCount: 0 });
    expect(inbox.ws.toUser(reader.userId)).toEqual([
      [ServerEvent.NotificationRead, { notificationId: null, success: true, all: true }],
      [ServerEvent.NotificationUnreadCount, { unreadCount: 0 }],
    ]);
  });

  it('delete removes the notification and tells every device', async () => {
    const ack = await emitWithAck(reader, ClientEvent.Delete, { notificationId: second.id });

    expect(ack).toEqual({ ok: true, notificationId: second.id, unreadCount: 1 });
    expect(inbox.ws.toUser(reader.userId)).toEqual([
      [ServerEvent.NotificationDeleted, { notificationId: second.id }],
      [ServerEvent.NotificationUnreadCount, { unreadCount: 1 }],
    ]);
    const page = await service.list(reader.userId, { unread: false, limit: 10 });
    expect(page.items.map((n) => n.id)).not.toContain(second.id);
  });

  it("answers NOT_FOUND for another user's notification, changes nothing and pushes nothing", async () => {
    const unreadBefore = await service.list(reader.userId, { unread: true, limit: 10 });
    expect(unreadBefore.items.map((n) => n.id).sort()).toEqual([second.id, first.id].sort());
    for (const event of [ClientEvent.MarkRead, ClientEvent.Delete]) {
      const ack = await emitWithAck(intruder, event, { notificationId: first.id });
      expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.NotFound } });
    }
    const unknownId = await emitWithAck(reader, ClientEvent.MarkRead, {
      notificationId: randomUUID(),
    });
    expect(unknownId).toMatchObject({ ok: false, error: { code: ErrorCode.NotFound } });

    // The same list, in the same order. (Which of the two comes first is not asserted: two
    // sends within one millisecond of the embedded database's clock share `created_at`,
    // and the list breaks such ties by id.)
    expect(await service.list(reader.userId, { unread: true, limit: 10 })).toEqual(unreadBefore);
    expect(inbox.ws.emits).toEqual([]);
  });

  it('refuses a payload outside the contract before any handler runs', async () => {
    for (const [event, payload] of [
      [ClientEvent.MarkRead, { notificationId: 'not-a-uuid' }],
      [ClientEvent.Delete, {}],
      [ClientEvent.MarkAllRead, { everything: true }],
    ] as const) {
      const ack = await emitWithAck(reader, event, payload);
      expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidPayload } });
    }
    expect(await service.unreadCount(reader.userId)).toBe(2);
    expect(inbox.ws.emits).toEqual([]);
  });

  it('tells a socket that connects its unread count, and only that socket', async () => {
    await registry.runConnectHooks(reader, 'socket-7');

    await vi.waitFor(() => expect(inbox.ws.emits).toHaveLength(1));
    expect(inbox.ws.emits).toEqual([
      {
        to: 'socket:socket-7',
        event: ServerEvent.NotificationUnreadCount,
        payload: { unreadCount: 2 },
      },
    ]);
  });

  // Last: it closes the module's database.
  it('answers SERVICE_UNAVAILABLE when the database is down', async () => {
    await inbox.module.get(DatabaseService).onApplicationShutdown();

    for (const [event, payload] of [
      [ClientEvent.MarkRead, { notificationId: first.id }],
      [ClientEvent.MarkAllRead, {}],
      [ClientEvent.Delete, { notificationId: first.id }],
    ] as const) {
      const ack = await emitWithAck(reader, event, payload);
      expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.Unavailable } });
    }
    // The connecting socket hears why it gets no count, and the connection stays.
    const failures: unknown[] = [];
    await registry.runConnectHooks(reader, 'socket-8', (error) => failures.push(error));
    await vi.waitFor(() => expect(inbox.ws.emits).toHaveLength(1));
    expect(failures).toEqual([]);
    expect(inbox.ws.emits).toEqual([
      {
        to: 'socket:socket-8',
        event: ServerEvent.Error,
        payload: expect.objectContaining({ code: ErrorCode.Unavailable }),
      },
    ]);
  });
});
