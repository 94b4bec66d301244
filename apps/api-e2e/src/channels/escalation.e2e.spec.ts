import {
  createScratchDatabase,
  mintToken,
  startApi,
  TEST_API_KEY,
  type ApiProcess,
  type ScratchDatabase,
} from '../../../../tools/testing/index.mjs';
import pg from 'pg';
import { inject } from 'vitest';
import {
  verifyWebhook,
  type HttpErrorBody,
  type Notification,
  type Preferences,
} from '@herald/ws-contracts';
import { connectAuthenticated, nextEvent } from '../support/clients';
import { call, service, uniqueUser } from '../hardening/hardening-harness';
import {
  TEST_WEBHOOK_SECRET,
  channelsEnv,
  metricValue,
  startSmtpServer,
  startWebhookReceiver,
  waitUntil,
  type SmtpSink,
  type WebhookReceiver,
} from './channels-harness';

/** How long after its due time an escalation may leave at the latest. */
const DUE_SLACK_MS = 5_000;
/** Polls (100 ms apart) that must pass without a second send to call it "exactly once". */
const QUIET_PERIOD_MS = 1_000;

async function send(api: ApiProcess, body: Record<string, unknown>): Promise<Notification> {
  const res = await service<Notification>(api, 'POST', '/api/notifications', {
    message: 'Your invoice is ready',
    ...body,
  });
  expect(res.status).toBe(201);
  return res.body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Escalation (docs/channels.md): a notification no device received within its delay goes
 * out on every configured channel the user allows, once per channel, from rows in the
 * database. Proven on both engines against a local webhook receiver and a real SMTP server.
 */
describe.each([['PGlite'], ['PostgreSQL']])('escalation on %s', (engine) => {
  let database: ScratchDatabase | undefined;
  let db: pg.Client | undefined;
  let api: ApiProcess;
  let webhook: WebhookReceiver;
  let smtp: SmtpSink;

  beforeAll(async () => {
    [webhook, smtp] = await Promise.all([startWebhookReceiver(), startSmtpServer()]);
    const env = channelsEnv(webhook, smtp);
    if (engine === 'PostgreSQL') {
      database = await createScratchDatabase(inject('runId'));
      env['DATABASE_URL'] = database.url;
    }
    api = await startApi({ env });
    if (database) {
      db = new pg.Client({ connectionString: database.url });
      await db.connect();
    }
  });
  afterAll(async () => {
    await api?.stop();
    await db?.end();
    await database?.drop();
    await Promise.all([webhook?.close(), smtp?.close()]);
  });

  it("posts an offline user's notification once, signed, and e-mails it once", async () => {
    const userId = uniqueUser('offline');
    const profile = await service(api, 'PUT', `/api/users/${userId}`, {
      email: `${userId}@mail.example.com`,
      timezone: 'Europe/Berlin',
    });
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({
      id: userId,
      email: `${userId}@mail.example.com`,
      timezone: 'Europe/Berlin',
    });
    const title = `Invoice <${userId}> & "friends"`;
    const notification = await send(api, { userId, title, type: 'billing' });
    const dueAt = Date.parse(notification.createdAt) + 1_000;

    await waitUntil(
      () => webhook.about(notification.id).length === 1 && smtp.withSubject(title).length === 1,
      dueAt - Date.now() + DUE_SLACK_MS,
      'the webhook and the e-mail',
    );
    const [hook] = webhook.about(notification.id);
    expect(hook?.receivedAt).toBeGreaterThanOrEqual(dueAt - 50);
    expect(hook?.receivedAt).toBeLessThanOrEqual(dueAt + DUE_SLACK_MS);
    const verified = await verifyWebhook(
      TEST_WEBHOOK_SECRET,
      {
        'webhook-id': hook?.id,
        'webhook-timestamp': hook?.timestamp,
        'webhook-signature': hook?.signature,
      },
      hook?.body as string,
    );
    expect(verified).toMatchObject({
      type: 'notification.escalated',
      data: {
        notification: { id: notification.id, userId, title, type: 'billing', readAt: null },
        user: { id: userId, email: `${userId}@mail.example.com`, timezone: 'Europe/Berlin' },
      },
    });
    expect(Date.parse(verified.timestamp)).not.toBeNaN();

    const [mail] = smtp.withSubject(title);
    expect(mail?.from?.value).toEqual([{ name: 'Herald', address: 'herald@example.com' }]);
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe(`${userId}@mail.example.com`);
    expect(mail?.text).toContain('Your invoice is ready');
    expect(mail?.html).toContain('Invoice &lt;' + userId + '&gt; &amp; &quot;friends&quot;');
    expect(mail?.html).not.toContain(`<${userId}>`);

    await sleep(QUIET_PERIOD_MS);
    expect(webhook.about(notification.id)).toHaveLength(1);
    expect(smtp.withSubject(title)).toHaveLength(1);
    if (db) {
      const { rows } = await db.query(
        'select channel, status, attempts from escalations where notification_id = $1 order by channel',
        [notification.id],
      );
      expect(rows).toEqual([
        { channel: 'email', status: 'sent', attempts: 0 },
        { channel: 'webhook', status: 'sent', attempts: 0 },
      ]);
    }
  });

  it("e-mails the address of the user's latest token", async () => {
    const userId = uniqueUser('token-mail');
    const device = await connectAuthenticated(api.url, {
      token: await mintToken(userId, { email: `${userId}@token.example.com` }),
    });
    device.close();
    // Recording the address is off the handshake's path; the escalation, a second later,
    // reads it.
    const title = `Token address ${userId}`;
    await send(api, { userId, title });
    await waitUntil(() => smtp.withSubject(title).length === 1, 8_000, 'the e-mail');
    const [mail] = smtp.withSubject(title);
    expect(mail?.to && 'text' in mail.to ? mail.to.text : '').toBe(`${userId}@token.example.com`);
  });

  it('escalates nowhere what was read before the delay, or sent with escalate: false', async () => {
    const userId = uniqueUser('reader');
    await service(api, 'PUT', `/api/users/${userId}`, { email: `${userId}@mail.example.com` });
    const read = await send(api, { userId, title: `Read ${userId}`, escalateAfterSeconds: 1.5 });
    const token = await mintToken(userId);
    expect((await call(api, 'PATCH', `/api/notifications/${read.id}/read`, { token })).status).toBe(
      200,
    );
    const silent = await send(api, { userId, title: `Silent ${userId}`, escalate: false });
    // A control sent after both, with a shorter delay, proves the scheduler ran past them.
    const control = await send(api, {
      userId,
      title: `Control ${userId}`,
      escalateAfterSeconds: 2,
    });
    await waitUntil(() => webhook.about(control.id).length === 1, 8_000, 'the control webhook');
    await sleep(QUIET_PERIOD_MS);
    expect(webhook.about(read.id)).toHaveLength(0);
    expect(webhook.about(silent.id)).toHaveLength(0);
    expect(smtp.withSubject(`Read ${userId}`)).toHaveLength(0);
    expect(smtp.withSubject(`Silent ${userId}`)).toHaveLength(0);
    expect(
      await metricValue(api, 'herald_escalations_total', { outcome: 'cancelled' }),
    ).toBeGreaterThan(0);
  });

  it('escalates nowhere what a device received (delivered_at) before the delay', async () => {
    if (!db) return; // The receipt is written by the receipts feature; here, on the row.
    const userId = uniqueUser('received');
    const received = await send(api, {
      userId,
      title: `Received ${userId}`,
      escalateAfterSeconds: 1.5,
    });
    await db.query('update notifications set delivered_at = now() where id = $1', [received.id]);
    const control = await send(api, {
      userId,
      title: `Control2 ${userId}`,
      escalateAfterSeconds: 2,
    });
    await waitUntil(() => webhook.about(control.id).length === 1, 8_000, 'the control webhook');
    await sleep(QUIET_PERIOD_MS);
    expect(webhook.about(received.id)).toHaveLength(0);
    const { rows } = await db.query('select status from escalations where notification_id = $1', [
      received.id,
    ]);
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('retries a receiver answering 500 twice with the same webhook-id and records one success', async () => {
    const userId = uniqueUser('flaky');
    const title = `Flaky ${userId}`;
    webhook.respondWith((request, attempt) =>
      request.json.data.notification.title === title && attempt <= 2
        ? { status: 500 }
        : { status: 200 },
    );
    const sentBefore = await metricValue(api, 'herald_escalations_total', {
      channel: 'webhook',
      outcome: 'sent',
    });
    const notification = await send(api, { userId, title, escalate: true });
    await waitUntil(() => webhook.about(notification.id).length === 3, 10_000, 'three attempts');
    await sleep(QUIET_PERIOD_MS);
    const attempts = webhook.about(notification.id);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    // Each attempt is signed afresh (its own timestamp) and verifies.
    for (const attempt of attempts) {
      await verifyWebhook(
        TEST_WEBHOOK_SECRET,
        {
          'webhook-id': attempt.id,
          'webhook-timestamp': attempt.timestamp,
          'webhook-signature': attempt.signature,
        },
        attempt.body,
      );
    }
    // The retries wait the schedule (0.2 s, then 0.4 s).
    expect((attempts[1]?.receivedAt ?? 0) - (attempts[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(
      190,
    );
    expect((attempts[2]?.receivedAt ?? 0) - (attempts[1]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(
      390,
    );
    expect(
      await metricValue(api, 'herald_escalations_total', { channel: 'webhook', outcome: 'sent' }),
    ).toBe(sentBefore + 1);
    if (db) {
      const { rows } = await db.query(
        "select status, attempts, last_error from escalations where notification_id = $1 and channel = 'webhook'",
        [notification.id],
      );
      expect(rows).toEqual([{ status: 'sent', attempts: 2, last_error: null }]);
    }
    webhook.respondWith(() => ({ status: 200 }));
  });

  it('records a webhook as failed once the schedule is used up', async () => {
    const userId = uniqueUser('down');
    const title = `Down ${userId}`;
    webhook.respondWith((request) =>
      request.json.data.notification.title === title ? { status: 503 } : { status: 200 },
    );
    const failedBefore = await metricValue(api, 'herald_escalations_total', {
      channel: 'webhook',
      outcome: 'failed',
    });
    const notification = await send(api, { userId, title });
    await waitUntil(
      async () =>
        (await metricValue(api, 'herald_escalations_total', {
          channel: 'webhook',
          outcome: 'failed',
        })) ===
        failedBefore + 1,
      10_000,
      'the failure to be recorded',
    );
    // One attempt and a retry per entry of WEBHOOK_RETRY_SECONDS (two): three in all.
    expect(webhook.about(notification.id)).toHaveLength(3);
    webhook.respondWith(() => ({ status: 200 }));
  });

  it('honours opt-outs per channel and per type, and validates preferences', async () => {
    const userId = uniqueUser('opted-out');
    await service(api, 'PUT', `/api/users/${userId}`, { email: `${userId}@mail.example.com` });
    const token = await mintToken(userId);
    const device = await connectAuthenticated(api.url, { token });
    const pushed = nextEvent(device, 'preferences:updated');
    const preferences: Preferences = {
      channels: { email: false, webhook: true },
      types: { chat: { webhook: false }, billing: { email: true } },
      quietHours: null,
    };
    const put = await call(api, 'PUT', '/api/preferences', { token, body: preferences });
    expect(put.status).toBe(200);
    expect(await pushed).toEqual(preferences);
    expect((await call(api, 'GET', '/api/preferences', { token })).body).toEqual(preferences);
    expect((await service(api, 'GET', `/api/users/${userId}/preferences`)).body).toEqual(
      preferences,
    );
    for (const bad of [
      { ...preferences, quietHours: { start: '22:00', end: '07:00', timezone: 'Mars/Base' } },
      { ...preferences, quietHours: { start: '25:00', end: '07:00', timezone: 'UTC' } },
      { ...preferences, channels: { email: 'no', webhook: true } },
    ]) {
      const res = await call<HttpErrorBody>(api, 'PUT', '/api/preferences', { token, body: bad });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_PAYLOAD');
    }
    expect((await call(api, 'GET', '/api/preferences', { token })).body).toEqual(preferences);
    device.close();

    const chat = await send(api, { userId, title: `Chat ${userId}`, type: 'chat' });
    const billing = await send(api, { userId, title: `Billing ${userId}`, type: 'billing' });
    const other = await send(api, { userId, title: `Other ${userId}`, type: 'news' });
    await waitUntil(
      () =>
        webhook.about(billing.id).length === 1 &&
        webhook.about(other.id).length === 1 &&
        smtp.withSubject(`Billing ${userId}`).length === 1,
      8_000,
      'the allowed escalations',
    );
    await sleep(QUIET_PERIOD_MS);
    // chat: webhook off for the type, e-mail off for every type → nothing.
    expect(webhook.about(chat.id)).toHaveLength(0);
    expect(smtp.withSubject(`Chat ${userId}`)).toHaveLength(0);
    // news: only the webhook.
    expect(smtp.withSubject(`Other ${userId}`)).toHaveLength(0);
  });

  it('holds escalations during quiet hours (never the live push) and pushes their end out', async () => {
    const userId = uniqueUser('sleeping');
    const now = new Date();
    const hhmm = (date: Date) => date.toISOString().slice(11, 16);
    const quietHours = {
      start: hhmm(new Date(now.getTime() - 3600_000)),
      end: hhmm(new Date(now.getTime() + 3600_000)),
      timezone: 'UTC',
    };
    await service(api, 'PUT', `/api/users/${userId}/preferences`, {
      channels: { email: true, webhook: true },
      types: {},
      quietHours,
    });
    const device = await connectAuthenticated(api.url, { token: await mintToken(userId) });
    const live = nextEvent(device, 'notification:new');
    const held = await send(api, { userId, title: `Held ${userId}`, escalateAfterSeconds: 0.5 });
    // The live push is not held back by quiet hours.
    expect((await live).notification.id).toBe(held.id);
    device.close();
    // One escalation per channel, each postponed on its own: wait for both.
    const postponed = (channel: string) =>
      metricValue(api, 'herald_escalations_total', { channel, outcome: 'postponed' });
    await waitUntil(
      async () => (await postponed('email')) >= 1 && (await postponed('webhook')) >= 1,
      8_000,
      'both escalations to be postponed',
    );
    expect(webhook.about(held.id)).toHaveLength(0);
    if (db) {
      const { rows } = await db.query(
        'select status, due_at from escalations where notification_id = $1',
        [held.id],
      );
      const end = new Date(now);
      end.setUTCHours(Number(quietHours.end.slice(0, 2)), Number(quietHours.end.slice(3)), 0, 0);
      if (end < now) end.setUTCDate(end.getUTCDate() + 1);
      for (const row of rows) {
        expect(row.status).toBe('pending');
        expect(new Date(row.due_at).toISOString()).toBe(end.toISOString());
      }
    }
  });

  it('refuses bad user and send bodies with 400 INVALID_PAYLOAD', async () => {
    for (const body of [{}, { email: 'nope' }, { timezone: 'Nowhere/City' }]) {
      const res = await service<HttpErrorBody>(api, 'PUT', '/api/users/someone', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_PAYLOAD');
    }
    const res = await service(api, 'POST', '/api/notifications', {
      userId: 'x',
      title: 't',
      message: 'm',
      escalate: false,
      escalateAfterSeconds: 3,
    });
    expect(res.status).toBe(400);
    const unauthorized = await call(api, 'PUT', '/api/users/someone', {
      apiKey: 'wrong-key-0123456789',
      body: { email: 'a@example.com' },
    });
    expect(unauthorized.status).toBe(401);
    expect(TEST_API_KEY).toBeTruthy();
  });
});
