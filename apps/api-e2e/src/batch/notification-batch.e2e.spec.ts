/* eslint-disable @typescript-eslint/no-explicit-any -- answers are arbitrary JSON; tests assert their shape */
import { ErrorCode, LIMITS, type Notification, type NotificationPage } from '@herald/ws-contracts';
import { mintToken, TEST_API_KEY, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { inject } from 'vitest';
import {
  startWebhookReceiver,
  TEST_WEBHOOK_SECRET,
  waitUntil,
  type WebhookReceiver,
} from '../channels/channels-harness';
import {
  asUser,
  Device,
  ENGINES,
  START_HOOK_TIMEOUT_MS,
  startApiOn,
  uniqueUser,
} from '../inbox/inbox-harness';
import { expectApiErrorBody } from '../support/error-body';

const POSTGRES = ENGINES.find((engine) => engine.name === 'PostgreSQL') as (typeof ENGINES)[number];
/** Polls (100 ms apart) that must pass without an escalation to call it "none". */
const QUIET_PERIOD_MS = 1_000;

interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

interface NotificationNew {
  notification: Notification;
}

/**
 * `POST /api/notifications/batch`: many sends in one request, validated all or nothing,
 * stored in one transaction, then pushed (notification:new and the unread count) in order.
 */
describe('POST /api/notifications/batch', () => {
  let api: ApiProcess;
  let stop: () => Promise<void>;
  let webhook: WebhookReceiver;
  const devices: Device[] = [];

  beforeAll(async () => {
    webhook = await startWebhookReceiver();
    ({ api, stop } = await startApiOn(POSTGRES, inject('runId'), {
      // Escalation to a webhook only for the items that ask for a short delay.
      ESCALATION_DELAY_SECONDS: '3600',
      ESCALATION_POLL_INTERVAL_MS: '100',
      ESCALATION_WEBHOOK_URL: webhook.url,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    }));
  }, START_HOOK_TIMEOUT_MS);
  afterEach(() => {
    for (const device of devices.splice(0)) device.close();
  });
  afterAll(async () => {
    await stop?.();
    await webhook?.close();
  });

  async function post<T = any>(
    body: unknown,
    headers: Record<string, string> = {},
    path = '/api/notifications/batch',
  ): Promise<Answer<T>> {
    const res = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY, ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? JSON.parse(text) : undefined;
    expectApiErrorBody(path, res.status, parsed);
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async function device(userId: string): Promise<Device> {
    const opened = await Device.connect(api.url, await mintToken(userId));
    devices.push(opened);
    await opened.waitForUnreadCount(0);
    return opened;
  }

  async function inboxOf(userId: string) {
    const { call } = await asUser(api, userId);
    const page = await call<NotificationPage>('GET', '/api/notifications?limit=100');
    return page.body.items;
  }

  /** Titles of the notification:new a device received, in order. */
  const titlesOn = (d: Device) =>
    d.received<NotificationNew>('notification:new').map((p) => p.notification.title);

  it('stores every item and pushes notification:new in item order and the unread count to every device', async () => {
    const ana = uniqueUser('nb-ana');
    const bruno = uniqueUser('nb-bruno');
    const carla = uniqueUser('nb-carla');
    const [anaPhone, anaLaptop, brunoPhone] = [
      await device(ana),
      await device(ana),
      await device(bruno),
    ];

    const res = await post<{ notifications: (Notification | Notification[])[] }>({
      notifications: [
        { userId: ana, title: 'one', message: 'm' },
        {
          userIds: [bruno, ana, carla],
          title: 'two',
          message: 'm',
          type: 'digest',
          data: { n: 2 },
        },
        { userId: bruno, title: 'three', message: 'm' },
        { userId: ana, title: 'four', message: 'm' },
      ],
    });
    expect(res.status).toBe(201);
    const [one, two, three, four] = res.body.notifications as [
      Notification,
      Notification[],
      Notification,
      Notification,
    ];
    expect(res.body.notifications).toHaveLength(4);
    expect(one).toMatchObject({ userId: ana, title: 'one', type: 'info', readAt: null });
    expect(two.map((n) => [n.userId, n.title, n.type, n.data])).toEqual([
      [bruno, 'two', 'digest', { n: 2 }],
      [ana, 'two', 'digest', { n: 2 }],
      [carla, 'two', 'digest', { n: 2 }],
    ]);
    expect(three).toMatchObject({ userId: bruno, title: 'three' });
    expect(four).toMatchObject({ userId: ana, title: 'four' });

    for (const d of [anaPhone, anaLaptop]) {
      await d.waitForUnreadCount(3);
      expect(titlesOn(d)).toEqual(['one', 'two', 'four']);
    }
    await brunoPhone.waitForUnreadCount(2);
    expect(titlesOn(brunoPhone)).toEqual(['two', 'three']);

    // Stored together (one created_at), listed newest first in the order they were sent.
    expect((await inboxOf(ana)).map((n) => n.id)).toEqual([
      four.id,
      (two[1] as Notification).id,
      one.id,
    ]);
    expect((await inboxOf(carla)).map((n) => n.id)).toEqual([(two[2] as Notification).id]);
  });

  it('refuses the whole request when one item is invalid, naming the item, and stores and pushes nothing', async () => {
    const userId = uniqueUser('nb-invalid');
    const other = uniqueUser('nb-invalid-other');
    const phone = await device(userId);
    const res = await post({
      notifications: [
        { userId, title: 'fine', message: 'm' },
        { userIds: [other], title: 'fine too', message: 'm' },
        { userId, title: '', message: 'm' },
        { userId, userIds: [other], title: 't', message: 'm' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(ErrorCode.InvalidPayload);
    expect(res.body.message).toEqual([
      expect.stringMatching(/^notifications\[2\]\.title: /),
      expect.stringMatching(/^notifications\[3\]\.userId: exactly one of userId or userIds/),
    ]);

    // Pushes to one user arrive in order: once this one is here, a push of the refused
    // request would have arrived before it.
    expect((await post({ notifications: [{ userId, title: 'after', message: 'm' }] })).status).toBe(
      201,
    );
    await phone.waitForUnreadCount(1);
    expect(titlesOn(phone)).toEqual(['after']);
    expect((await inboxOf(userId)).map((n) => n.title)).toEqual(['after']);
    expect(await inboxOf(other)).toEqual([]);
  });

  it('stores nothing of the request when the database refuses one item', async () => {
    const userId = uniqueUser('nb-rollback');
    const phone = await device(userId);
    // Valid JSON, but PostgreSQL cannot store \u0000 in jsonb: the one INSERT of every item fails.
    const res = await post({
      notifications: [
        { userId, title: 'first', message: 'm' },
        { userIds: [userId], title: 'broken', message: 'm', data: { text: 'nul \u0000 byte' } },
      ],
    });
    expect(res.status).toBe(400);
    expect((await post({ notifications: [{ userId, title: 'after', message: 'm' }] })).status).toBe(
      201,
    );
    await phone.waitForUnreadCount(1);
    expect(titlesOn(phone)).toEqual(['after']);
    expect((await inboxOf(userId)).map((n) => n.title)).toEqual(['after']);
  });

  it(`refuses more than ${LIMITS.maxBatchNotifications} items, more than MAX_RECIPIENTS recipients in all, and no items, with 400`, async () => {
    const userId = uniqueUser('nb-limits');
    const item = { userId, title: 't', message: 'm' };
    const tooMany = await post({
      notifications: Array.from({ length: LIMITS.maxBatchNotifications + 1 }, () => item),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message.join(' ')).toMatch(`at most ${LIMITS.maxBatchNotifications}`);

    const recipients = Array.from({ length: 600 }, (_, i) => `${userId}-${i}`);
    const tooManyRecipients = await post({
      notifications: [
        { userIds: recipients, title: 't', message: 'm' },
        { userIds: recipients, title: 't', message: 'm' },
      ],
    });
    expect(tooManyRecipients.status).toBe(400);
    expect(tooManyRecipients.body.message.join(' ')).toMatch(/at most 1000 recipients in all/);

    for (const body of [{ notifications: [] }, { notifications: {} }, item, [item]])
      expect((await post(body)).status).toBe(400);
    expect(await inboxOf(userId)).toEqual([]);
    expect(await inboxOf(`${userId}-0`)).toEqual([]);
  });

  it(`accepts ${LIMITS.maxBatchNotifications} items in one request`, async () => {
    const userId = uniqueUser('nb-max');
    const phone = await device(userId);
    const res = await post({
      notifications: Array.from({ length: LIMITS.maxBatchNotifications }, (_, i) => ({
        userId: i % 2 ? userId : `${userId}-${i}`,
        title: `n${i}`,
        message: 'm',
      })),
    });
    expect(res.status).toBe(201);
    expect(res.body.notifications).toHaveLength(LIMITS.maxBatchNotifications);
    await phone.waitForUnreadCount(LIMITS.maxBatchNotifications / 2, 15_000);
    expect(titlesOn(phone)).toEqual(
      Array.from({ length: LIMITS.maxBatchNotifications / 2 }, (_, i) => `n${2 * i + 1}`),
    );
  });

  it.each([
    ['without x-api-key', { 'x-api-key': '' }],
    ['with a wrong x-api-key', { 'x-api-key': `${TEST_API_KEY}-wrong` }],
  ])('answers 401 API_KEY_INVALID %s and stores nothing', async (_label, headers) => {
    const userId = uniqueUser('nb-key');
    const res = await post({ notifications: [{ userId, title: 't', message: 'm' }] }, headers);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe(ErrorCode.ApiKeyInvalid);
    expect(await inboxOf(userId)).toEqual([]);
  });

  describe('Idempotency-Key', () => {
    it('answers a retry with the same body with the first answer, storing and pushing nothing', async () => {
      const userId = uniqueUser('nb-idem');
      const phone = await device(userId);
      const key = `batch-${userId}`;
      const body = {
        notifications: [
          { userId, title: 'a', message: 'm' },
          { userIds: [userId, `${userId}-peer`], title: 'b', message: 'm' },
        ],
      };
      const first = await post(body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      await phone.waitForUnreadCount(2);

      // The same request with its fields in another order is the same request.
      const again = await post(
        {
          notifications: body.notifications.map((item) =>
            Object.fromEntries(Object.entries(item).reverse()),
          ),
        },
        { 'idempotency-key': key },
      );
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);

      const reused = await post(
        { notifications: [{ userId, title: 'other', message: 'm' }] },
        { 'idempotency-key': key },
      );
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe(ErrorCode.IdempotencyKeyReused);

      expect(
        (await post({ notifications: [{ userId, title: 'after', message: 'm' }] })).status,
      ).toBe(201);
      await phone.waitForUnreadCount(3);
      expect(titlesOn(phone)).toEqual(['a', 'b', 'after']);
      expect(await inboxOf(userId)).toHaveLength(3);
      expect(await inboxOf(`${userId}-peer`)).toHaveLength(1);
    });

    it('keeps its keys apart from POST /api/notifications', async () => {
      const userId = uniqueUser('nb-scope');
      const key = `scope-${userId}`;
      const single = await post(
        { userId, title: 's', message: 'm' },
        { 'idempotency-key': key },
        '/api/notifications',
      );
      expect(single.status).toBe(201);
      const batch = await post(
        { notifications: [{ userId, title: 's', message: 'm' }] },
        { 'idempotency-key': key },
      );
      expect(batch.status).toBe(201);
      expect(batch.headers.get('idempotent-replayed')).toBeNull();
      expect(await inboxOf(userId)).toHaveLength(2);
    });
  });

  it('escalates each item as its own fields ask', async () => {
    const userId = uniqueUser('nb-escalate');
    const res = await post<{ notifications: Notification[] }>({
      notifications: [
        { userId, title: 'silent', message: 'm', escalate: false },
        { userId, title: 'soon', message: 'm', escalateAfterSeconds: 1 },
        { userId, title: 'default', message: 'm' },
      ],
    });
    expect(res.status).toBe(201);
    const [silent, soon, later] = res.body.notifications as [
      Notification,
      Notification,
      Notification,
    ];
    await waitUntil(
      () => webhook.about(soon.id).length === 1,
      8_000,
      'the webhook of the item due soon',
    );
    await new Promise((r) => setTimeout(r, QUIET_PERIOD_MS));
    expect(webhook.about(silent.id)).toHaveLength(0);
    expect(webhook.about(later.id)).toHaveLength(0);

    const refused = await post({
      notifications: [
        { userId, title: 't', message: 'm' },
        { userId, title: 't', message: 'm', escalate: false, escalateAfterSeconds: 5 },
      ],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toEqual([
      expect.stringMatching(/^notifications\[1\]\.escalateAfterSeconds: /),
    ]);
  });

  it('is in the OpenAPI document with its body, answer, Idempotency-Key and error codes', async () => {
    const doc = await (await fetch(`${api.url}/api/docs-json`)).json();
    const operation = doc.paths['/api/notifications/batch']?.post;
    expect(operation).toBeDefined();
    expect(JSON.stringify(operation.requestBody)).toContain('CreateNotificationBatchBody');
    expect(JSON.stringify(operation.responses['201'])).toContain('NotificationBatch');
    expect(operation.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    for (const [status, code] of [
      ['400', 'INVALID_PAYLOAD'],
      ['401', 'API_KEY_INVALID'],
      ['413', 'PAYLOAD_TOO_LARGE'],
      ['422', 'IDEMPOTENCY_KEY_REUSED'],
      ['503', 'SERVICE_UNAVAILABLE'],
    ])
      expect(operation.responses[status]?.description, status).toContain(code);
  });
});
