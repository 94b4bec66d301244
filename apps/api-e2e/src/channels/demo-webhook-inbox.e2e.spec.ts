import type { DemoWebhookDelivery } from '@herald/ws-contracts';
import {
  freePort,
  mintToken,
  startApi,
  type ApiProcess,
} from '../../../../tools/testing/index.mjs';
import {
  ErrorCode,
  WEBHOOK_EVENT_TYPE,
  signWebhook,
  type Notification,
  type NotificationEscalatedWebhook,
  type NotificationStatus,
} from '@herald/ws-contracts';
import { call, service, uniqueUser } from '../hardening/hardening-harness';
import { TEST_WEBHOOK_SECRET, waitUntil } from './channels-harness';

const INBOX = '/api/demo/webhook-inbox';

/** A webhook as Herald would sign it, about a notification that exists nowhere. */
async function signed(
  secret: string,
  title: string,
  options: { id?: string; body?: (payload: NotificationEscalatedWebhook) => string } = {},
) {
  const payload: NotificationEscalatedWebhook = {
    type: WEBHOOK_EVENT_TYPE,
    timestamp: new Date().toISOString(),
    data: {
      notification: {
        id: crypto.randomUUID(),
        userId: 'ana',
        type: 'info',
        title,
        message: 'm',
        data: null,
        createdAt: new Date().toISOString(),
        readAt: null,
      } as Notification,
      user: { id: 'ana', email: null, timezone: null },
    },
  };
  const id = options.id ?? `msg_${crypto.randomUUID()}`;
  const body = (options.body ?? JSON.stringify)(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    payload,
    body,
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': await signWebhook(secret, id, timestamp, body),
    },
  };
}

/**
 * The demo's local webhook inbox (docs/channels.md, "Try it locally"): an API whose
 * escalation webhook points at its own POST /api/demo/webhook-inbox, as `npm start` wires
 * it in zero configuration, lists an offline user's escalated notification once, verified;
 * a request with a bad signature is refused and listed nowhere.
 */
describe('demo webhook inbox', () => {
  let api: ApiProcess;
  let token: string;

  const inbox = async () => {
    const res = await call<DemoWebhookDelivery[]>(api, 'GET', INBOX, { token });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    const port = await freePort();
    api = await startApi({
      port,
      env: {
        DEMO_AUTH: 'true',
        ESCALATION_WEBHOOK_URL: `http://127.0.0.1:${port}${INBOX}`,
        WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
        ESCALATION_DELAY_SECONDS: '1',
        ESCALATION_POLL_INTERVAL_MS: '100',
        ESCALATION_TIMEOUT_MS: '2000',
      },
    });
    token = await mintToken('ana');
  });
  afterAll(async () => {
    await api?.stop();
  });

  it("lists an offline user's escalated notification exactly once, verified", async () => {
    const userId = uniqueUser('offline');
    const title = `Escalated ${userId}`;
    const sent = await service<Notification>(api, 'POST', '/api/notifications', {
      userId,
      title,
      message: 'Nobody is connected to receive this',
    });
    expect(sent.status).toBe(201);
    const notificationId = sent.body.id;

    await waitUntil(
      async () => (await inbox()).some((e) => e.notificationId === notificationId),
      10_000,
      'the webhook in the demo inbox',
    );
    // Recorded as sent only after the inbox answered 204: once it is, nothing else is coming.
    await waitUntil(
      async () => {
        const status = await service<NotificationStatus>(
          api,
          'GET',
          `/api/notifications/${notificationId}/status`,
        );
        return status.body.escalations.some((e) => e.channel === 'webhook' && e.status === 'sent');
      },
      10_000,
      'the webhook escalation recorded as sent',
    );
    const listed = (await inbox()).filter((e) => e.notificationId === notificationId);
    expect(listed).toEqual([
      {
        id: expect.any(String),
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        type: WEBHOOK_EVENT_TYPE,
        notificationId,
        title,
        userId,
      },
    ]);
  });

  it('verifies the raw bytes it received, not a re-serialisation of them', async () => {
    const title = `Pretty-printed ${uniqueUser('raw')}`;
    const hook = await signed(TEST_WEBHOOK_SECRET, title, {
      body: (payload) => JSON.stringify(payload, null, 2),
    });
    const res = await call(api, 'POST', INBOX, { rawBody: hook.body, headers: hook.headers });
    expect(res.status).toBe(204);
    expect((await inbox()).filter((e) => e.title === title)).toHaveLength(1);
  });

  it('lists a delivery sent again with the same webhook-id once, newest first', async () => {
    const first = await signed(TEST_WEBHOOK_SECRET, `First ${uniqueUser('order')}`);
    const second = await signed(TEST_WEBHOOK_SECRET, `Second ${uniqueUser('order')}`);
    for (const hook of [first, second, first]) {
      const res = await call(api, 'POST', INBOX, { rawBody: hook.body, headers: hook.headers });
      expect(res.status).toBe(204);
    }
    const ids = (await inbox()).map((e) => e.id);
    expect(ids.filter((id) => id === first.headers['webhook-id'])).toHaveLength(1);
    expect(ids.indexOf(second.headers['webhook-id'])).toBeLessThan(
      ids.indexOf(first.headers['webhook-id']),
    );
  });

  it('refuses a bad signature, a tampered body, a stale timestamp and missing headers with 401, listing nothing', async () => {
    const title = `Forged ${uniqueUser('forged')}`;
    const otherSecret = `whsec_${Buffer.from('another-secret-of-thirty-two-bytes').toString('base64')}`;
    const forged = await signed(otherSecret, title);
    const genuine = await signed(TEST_WEBHOOK_SECRET, title);
    const stale = await signed(TEST_WEBHOOK_SECRET, title);
    const staleSeconds = Math.floor(Date.now() / 1000) - 10 * 60;
    stale.headers['webhook-timestamp'] = String(staleSeconds);
    stale.headers['webhook-signature'] = await signWebhook(
      TEST_WEBHOOK_SECRET,
      stale.headers['webhook-id'],
      staleSeconds,
      stale.body,
    );
    const attempts = [
      { rawBody: forged.body, headers: forged.headers },
      { rawBody: genuine.body.replace(title, `${title}!`), headers: genuine.headers },
      { rawBody: stale.body, headers: stale.headers },
      { rawBody: genuine.body, headers: { 'webhook-id': genuine.headers['webhook-id'] } },
    ];
    for (const attempt of attempts) {
      const res = await call(api, 'POST', INBOX, attempt);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: ErrorCode.TokenInvalid });
    }
    expect((await inbox()).filter((e) => e.title.startsWith(title))).toEqual([]);
  });

  it('refuses a verified body without a notification with 400, listing nothing', async () => {
    const before = (await inbox()).length;
    const hook = await signed(TEST_WEBHOOK_SECRET, 'unused', {
      body: (payload) => JSON.stringify({ ...payload, data: {} }),
    });
    const res = await call(api, 'POST', INBOX, { rawBody: hook.body, headers: hook.headers });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: ErrorCode.InvalidPayload });
    expect((await inbox()).length).toBe(before);
  });

  it('lists only for a signed-in demo user', async () => {
    const res = await call(api, 'GET', INBOX);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: ErrorCode.TokenMissing });
  });
});
