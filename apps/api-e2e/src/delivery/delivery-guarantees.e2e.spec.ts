import { mintToken, TEST_API_KEY, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import type { Notification, NotificationStatus } from '@herald/ws-contracts';
import { expectApiErrorBody } from '../support/error-body';
import {
  asUser,
  Device,
  ENGINES,
  START_HOOK_TIMEOUT_MS,
  startApiOn,
  uniqueUser,
} from '../inbox/inbox-harness';

/** Short enough that expiry and retention are seen within a test, never a target. */
const SWEEP_INTERVAL_MS = 200;
const SEND_MAX_BYTES = 1_048_576;

/** An answer body read loosely: error bodies and grant answers alike. */
type ErrorLike = Record<string, unknown>;

interface Answer<T = ErrorLike> {
  status: number;
  headers: Headers;
  body: T;
}

async function post<T = ErrorLike>(
  api: ApiProcess,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function statusOf(api: ApiProcess, id: string): Promise<Answer<NotificationStatus>> {
  const res = await fetch(`${api.url}/api/notifications/${id}/status`, {
    headers: { 'x-api-key': TEST_API_KEY },
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function latencyCount(api: ApiProcess): Promise<number> {
  const text = await (await fetch(`${api.url}/api/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('herald_delivery_latency_seconds_count'));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function inboxOf(api: ApiProcess, userId: string) {
  const { call } = await asUser(api, userId);
  const page = await call<{ items: Notification[] }>('GET', '/api/notifications?limit=100');
  const count = await call<{ unreadCount: number }>('GET', '/api/notifications/unread-count');
  return { items: page.body.items, unreadCount: count.body.unreadCount };
}

describe.each(ENGINES)('delivery guarantees on $name', (engine) => {
  const runId = inject('runId');
  let api: ApiProcess;
  let stop: () => Promise<void>;
  const devices: Device[] = [];
  const device = async (userId: string) => {
    const d = await Device.connect(api.url, await mintToken(userId));
    devices.push(d);
    return d;
  };

  beforeAll(async () => {
    ({ api, stop } = await startApiOn(engine, runId, {
      SWEEP_INTERVAL_MS: String(SWEEP_INTERVAL_MS),
      // Every read notification is past retention: the sweep deletes it at once.
      RETENTION_DAYS: '0',
      SEND_MAX_BYTES: String(SEND_MAX_BYTES),
    }));
  }, START_HOOK_TIMEOUT_MS);
  afterAll(async () => {
    for (const d of devices) d.close();
    await stop?.();
  });

  describe('Idempotency-Key', () => {
    it('answers a replay with the first answer and the same id, storing and pushing nothing', async () => {
      const userId = uniqueUser('idem');
      const phone = await device(userId);
      const key = `order-${userId}`;
      const first = await post<Notification>(
        api,
        '/api/notifications',
        { userId, title: 'Paid', message: 'Order paid', data: { a: 1, b: 2 } },
        { 'idempotency-key': key },
      );
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();

      // The same body in another key order and spacing is the same request.
      const again = await post<Notification>(
        api,
        '/api/notifications',
        `{ "data": { "b": 2, "a": 1 }, "message": "Order paid", "title": "Paid", "userId": "${userId}" }`,
        { 'idempotency-key': key },
      );
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);

      expect((await inboxOf(api, userId)).items.map((n) => n.id)).toEqual([first.body.id]);
      // A later, unrelated send arrives after the replay: had the replay pushed, it would show.
      await post(api, '/api/notifications', { userId, title: 'next', message: 'm' });
      await phone.waitFor<{ notification: Notification }>(
        'notification:new',
        (p) => p.notification.title === 'next',
      );
      expect(phone.received('notification:new')).toHaveLength(2);
    });

    it('stores 50 concurrent identical requests once and answers each the same id', async () => {
      const userId = uniqueUser('idem50');
      const body = { userIds: [userId], title: 'Once', message: 'fifty at once' };
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          post<Notification[]>(api, '/api/notifications', body, { 'idempotency-key': 'fifty' }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
      expect(new Set(answers.map((a) => a.body[0]?.id)).size).toBe(1);
      expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(
        49,
      );
      expect((await inboxOf(api, userId)).items).toHaveLength(1);
    });

    it('refuses the key with another body (422 IDEMPOTENCY_KEY_REUSED) and a malformed key (400)', async () => {
      const userId = uniqueUser('reuse');
      const key = `reuse-${userId}`;
      expect(
        (
          await post(
            api,
            '/api/notifications',
            { userId, title: 'a', message: 'm' },
            { 'idempotency-key': key },
          )
        ).status,
      ).toBe(201);
      const reused = await post(
        api,
        '/api/notifications',
        { userId, title: 'b', message: 'm' },
        { 'idempotency-key': key },
      );
      expect(reused.status).toBe(422);
      expectApiErrorBody('/api/notifications', 422, reused.body);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

      for (const bad of ['', 'k'.repeat(256), 'tab\there']) {
        const refused = await post(
          api,
          '/api/notifications',
          { userId, title: 'c', message: 'm' },
          { 'idempotency-key': bad },
        );
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('INVALID_PAYLOAD');
      }
      expect((await inboxOf(api, userId)).items.map((n) => n.title)).toEqual(['a']);
    });

    it('credits an XP grant once under one key (the same key may be used on each endpoint)', async () => {
      const userId = uniqueUser('xp');
      const grant = { userId, amount: 10, source: 'quiz' };
      const [first, second] = await Promise.all([
        post(api, '/api/gamification/xp', grant, { 'idempotency-key': 'xp-key' }),
        post(api, '/api/gamification/xp', grant, { 'idempotency-key': 'xp-key' }),
      ]);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body).toEqual(first.body);
      const replayed = [first, second].filter((a) => a.headers.get('idempotent-replayed'));
      expect(replayed).toHaveLength(1);
      const third = await post(api, '/api/gamification/xp', { ...grant, amount: 1 });
      expect(third.body.totalXp).toBe(11);
      const reused = await post(
        api,
        '/api/gamification/xp',
        { ...grant, amount: 2 },
        { 'idempotency-key': 'xp-key' },
      );
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });
  });

  describe('receipts', () => {
    it('sets deliveredAt on the first receipt only, counts the latency and ignores foreign ids', async () => {
      const userId = uniqueUser('receipt');
      const phone = await device(userId);
      const before = await latencyCount(api);
      const sent = await post<Notification>(api, '/api/notifications', {
        userId,
        title: 'Hi',
        message: 'm',
      });
      expect(sent.body.deliveredAt).toBeNull();
      const other = await post<Notification>(api, '/api/notifications', {
        userId: uniqueUser('someone-else'),
        title: 'theirs',
        message: 'm',
      });
      await phone.waitFor('notification:new');
      expect((await statusOf(api, sent.body.id)).body.deliveredAt).toBeNull();

      const ack = await phone.socket
        .timeout(5_000)
        .emitWithAck('notification:received', { notificationIds: [sent.body.id, other.body.id] });
      expect(ack).toEqual({ ok: true });

      const status = await statusOf(api, sent.body.id);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        id: sent.body.id,
        userId,
        createdAt: sent.body.createdAt,
        readAt: null,
        escalations: [],
      });
      expect(Date.parse(status.body.deliveredAt as string)).toBeGreaterThanOrEqual(
        Date.parse(sent.body.createdAt),
      );
      expect((await statusOf(api, other.body.id)).body.deliveredAt).toBeNull();
      expect(await latencyCount(api)).toBe(before + 1);

      // A later receipt (another device) changes nothing.
      const tablet = await device(userId);
      await tablet.socket
        .timeout(5_000)
        .emitWithAck('notification:received', { notificationIds: [sent.body.id] });
      expect((await statusOf(api, sent.body.id)).body.deliveredAt).toBe(status.body.deliveredAt);
      expect(await latencyCount(api)).toBe(before + 1);
      const listed = (await inboxOf(api, userId)).items.find((n) => n.id === sent.body.id);
      expect(listed?.deliveredAt).toBe(status.body.deliveredAt);
    });

    it('refuses a malformed receipt and answers 404 for the status of an unknown id', async () => {
      const phone = await device(uniqueUser('bad-receipt'));
      const ack = await phone.socket
        .timeout(5_000)
        .emitWithAck('notification:received', { notificationIds: ['not-a-uuid'] } as never);
      expect(ack).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
      const unknown = await statusOf(api, '00000000-0000-4000-8000-000000000000');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
    });
  });

  describe('expiry and retention', () => {
    it('takes an expired notification out of lists, counts and connected devices, and deletes it', async () => {
      const userId = uniqueUser('expiry');
      const phone = await device(userId);
      const keep = await post<Notification>(api, '/api/notifications', {
        userId,
        title: 'stays',
        message: 'm',
      });
      const expiring = await post<Notification>(api, '/api/notifications', {
        userId,
        title: 'flash sale',
        message: 'ends soon',
        expiresAt: new Date(Date.now() + 1_500).toISOString(),
      });
      expect(expiring.status).toBe(201);
      expect(expiring.body.expiresAt).not.toBeNull();
      await phone.waitForUnreadCount(2);

      // Within 60 s at most; with this sweep interval, within seconds.
      await phone.waitFor<{ notificationId: string }>(
        'notification:deleted',
        (p) => p.notificationId === expiring.body.id,
        60_000,
      );
      await phone.waitForUnreadCount(1);
      const inbox = await inboxOf(api, userId);
      expect(inbox.items.map((n) => n.id)).toEqual([keep.body.id]);
      expect(inbox.unreadCount).toBe(1);
      expect((await statusOf(api, expiring.body.id)).status).toBe(404);
    }, 70_000);

    it('refuses an expiresAt that is not a future ISO time', async () => {
      const userId = uniqueUser('expiry-bad');
      for (const expiresAt of [new Date(Date.now() - 1_000).toISOString(), 'tomorrow']) {
        const refused = await post(api, '/api/notifications', {
          userId,
          title: 't',
          message: 'm',
          expiresAt,
        });
        expect(refused.status).toBe(400);
        expect(refused.body.code).toBe('INVALID_PAYLOAD');
      }
      expect((await inboxOf(api, userId)).items).toEqual([]);
    });

    it('deletes read notifications past retention and keeps unread ones', async () => {
      const userId = uniqueUser('retention');
      const [read, unread] = (
        await post<Notification[]>(api, '/api/notifications', {
          userIds: [userId],
          title: 'read me',
          message: 'm',
        })
      ).body;
      await post(api, '/api/notifications', { userId, title: 'unread', message: 'm' });
      const { call } = await asUser(api, userId);
      expect((await call('PATCH', `/api/notifications/${read?.id}/read`)).status).toBe(200);
      expect(unread).toBeUndefined();

      const deadline = Date.now() + 30_000;
      while ((await statusOf(api, read?.id as string)).status !== 404) {
        if (Date.now() > deadline) throw new Error('the read notification was not swept');
        await new Promise((r) => setTimeout(r, SWEEP_INTERVAL_MS));
      }
      const inbox = await inboxOf(api, userId);
      expect(inbox.items.map((n) => n.title)).toEqual(['unread']);
      expect(inbox.unreadCount).toBe(1);
    }, 40_000);
  });

  describe('bounded work per request', () => {
    it('refuses data over NOTIFICATION_DATA_MAX_BYTES with 413 and stores nothing', async () => {
      const userId = uniqueUser('big-data');
      const refused = await post(api, '/api/notifications', {
        userId,
        title: 't',
        message: 'm',
        data: { blob: 'x'.repeat(17_000) },
      });
      expect(refused.status).toBe(413);
      expectApiErrorBody('/api/notifications', 413, refused.body);
      expect(refused.body.message).toContain('NOTIFICATION_DATA_MAX_BYTES');
      expect((await inboxOf(api, userId)).items).toEqual([]);
    });

    it('refuses a send whose recipients × content exceed SEND_MAX_BYTES with 413', async () => {
      const userIds = Array.from({ length: 100 }, () => uniqueUser('fanout'));
      const refused = await post(api, '/api/notifications', {
        userIds,
        title: 't',
        message: 'm',
        data: { blob: 'x'.repeat(15_000) },
      });
      expect(refused.status).toBe(413);
      expect(refused.body.message).toContain('SEND_MAX_BYTES');
      expect((await inboxOf(api, userIds[0] as string)).items).toEqual([]);
    });
  });
});
