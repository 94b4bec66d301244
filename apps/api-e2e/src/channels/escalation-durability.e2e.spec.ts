import {
  createScratchDatabase,
  startApi,
  type ApiProcess,
  type ScratchDatabase,
} from '../../../../tools/testing/index.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Notification } from '@herald/ws-contracts';
import { service, uniqueUser } from '../hardening/hardening-harness';
import {
  channelsEnv,
  metricValue,
  startSmtpServer,
  startWebhookReceiver,
  waitUntil,
  type SmtpSink,
  type WebhookReceiver,
} from './channels-harness';

const QUIET_PERIOD_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function send(api: ApiProcess, userId: string, title: string): Promise<Notification> {
  const res = await service<Notification>(api, 'POST', '/api/notifications', {
    userId,
    title,
    message: 'm',
  });
  expect(res.status).toBe(201);
  return res.body;
}

/**
 * The schedule lives in the database: a process killed between storing a notification and
 * sending its escalation loses nothing (the restarted process sends it, once), and two
 * processes polling one database never send the same escalation twice.
 */
describe('escalation durability', () => {
  let webhook: WebhookReceiver;
  let smtp: SmtpSink;
  const apis: ApiProcess[] = [];
  const databases: ScratchDatabase[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-escalation-'));

  beforeAll(async () => {
    [webhook, smtp] = await Promise.all([startWebhookReceiver(), startSmtpServer()]);
  });
  afterAll(async () => {
    for (const api of apis) await api.kill();
    for (const database of databases) await database.drop();
    await Promise.all([webhook?.close(), smtp?.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe.each([['PGlite in DATA_DIR'], ['PostgreSQL']])('on %s', (engine) => {
    // An embedded database recovers after a SIGKILL before it listens again: allow for it.
    it('sends once after a SIGKILL between scheduling and sending', async () => {
      const env = channelsEnv(webhook, smtp, { ESCALATION_DELAY_SECONDS: '2' });
      if (engine === 'PostgreSQL') {
        const database = await createScratchDatabase(inject('runId'));
        databases.push(database);
        env['DATABASE_URL'] = database.url;
      }
      const start = () =>
        startApi({
          env:
            engine === 'PostgreSQL' ? env : { ...env, DATABASE_URL: undefined, DATA_DIR: dataDir },
        });
      const first = await start();
      apis.push(first);
      const userId = uniqueUser('killed');
      await service(first, 'PUT', `/api/users/${userId}`, { email: `${userId}@mail.example.com` });
      const title = `Survives ${userId}`;
      const notification = await send(first, userId, title);
      await first.kill();
      expect(webhook.about(notification.id)).toHaveLength(0);

      const second = await start();
      apis.push(second);
      await waitUntil(
        () => webhook.about(notification.id).length === 1 && smtp.withSubject(title).length === 1,
        15_000,
        'the escalation after the restart',
      );
      await sleep(QUIET_PERIOD_MS);
      expect(webhook.about(notification.id)).toHaveLength(1);
      expect(smtp.withSubject(title)).toHaveLength(1);
      await second.stop();
    }, 90_000);
  });

  it('resends with the same webhook-id when a process dies in the middle of a send', async () => {
    const database = await createScratchDatabase(inject('runId'));
    databases.push(database);
    // Lease: the 2 s attempt timeout plus a 10 s margin, then another process takes over.
    const env = channelsEnv(webhook, smtp, {
      DATABASE_URL: database.url,
      SMTP_URL: '',
      MAIL_FROM: '',
    });
    const first = await startApi({ env });
    apis.push(first);
    const userId = uniqueUser('mid-send');
    const title = `Mid-send ${userId}`;
    // The first request hangs: the process is killed while it waits for the answer.
    webhook.respondWith((request, attempt) =>
      request.json.data.notification.title === title && attempt === 1
        ? { status: 0 }
        : { status: 200 },
    );
    const notification = await send(first, userId, title);
    await waitUntil(() => webhook.about(notification.id).length === 1, 10_000, 'the first attempt');
    await first.kill();

    const second = await startApi({ env });
    apis.push(second);
    await waitUntil(
      () => webhook.about(notification.id).length === 2,
      30_000,
      'the attempt after the lease lapsed',
    );
    const attempts = webhook.about(notification.id);
    expect(attempts.map((a) => a.status)).toEqual([0, 200]);
    expect(attempts[1]?.id).toBe(attempts[0]?.id);
    await sleep(QUIET_PERIOD_MS);
    expect(webhook.about(notification.id)).toHaveLength(2);
    expect(
      await metricValue(second, 'herald_escalations_total', {
        channel: 'webhook',
        outcome: 'sent',
      }),
    ).toBe(1);
    webhook.respondWith(() => ({ status: 200 }));
    await second.stop();
  }, 90_000);

  it('two processes on one database never send the same escalation twice', async () => {
    const database = await createScratchDatabase(inject('runId'));
    databases.push(database);
    const env = channelsEnv(webhook, smtp, {
      DATABASE_URL: database.url,
      ESCALATION_POLL_INTERVAL_MS: '20',
    });
    const cluster = await Promise.all([startApi({ env }), startApi({ env })]);
    apis.push(...cluster);
    const COUNT = 40;
    const sent: Notification[] = [];
    for (let i = 0; i < COUNT; i++) {
      const api = cluster[i % 2] as ApiProcess;
      const userId = uniqueUser(`cluster-${i}`);
      await service(api, 'PUT', `/api/users/${userId}`, { email: `${userId}@mail.example.com` });
      sent.push(await send(api, userId, `Cluster ${userId}`));
    }
    await waitUntil(
      () =>
        sent.every((n) => webhook.about(n.id).length >= 1 && smtp.withSubject(n.title).length >= 1),
      20_000,
      'every escalation',
    );
    await sleep(QUIET_PERIOD_MS);
    for (const notification of sent) {
      expect(webhook.about(notification.id)).toHaveLength(1);
      expect(smtp.withSubject(notification.title)).toHaveLength(1);
    }
    const counts = await Promise.all(
      cluster.flatMap((api) =>
        ['webhook', 'email'].map((channel) =>
          metricValue(api, 'herald_escalations_total', { channel, outcome: 'sent' }),
        ),
      ),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2 * COUNT);
    // The schedule is the table: both processes see nothing pending any more.
    for (const api of cluster) {
      expect(await metricValue(api, 'herald_escalations_pending', { channel: 'webhook' })).toBe(0);
    }
  });
});
