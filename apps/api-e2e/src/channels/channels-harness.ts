import { type ApiProcess } from '../../../../tools/testing/index.mjs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { NotificationEscalatedWebhook } from '@herald/ws-contracts';

/** The secret every test API signs with (Standard Webhooks format, 32 bytes). */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('herald-e2e-webhook-secret-32-byte').toString('base64')}`;

/** Resolves once `predicate` holds, polling every 25 ms; rejects after `timeoutMs`. */
export async function waitUntil(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  /** The raw body, as signed. */
  body: string;
  /** Parsed body. */
  json: NotificationEscalatedWebhook;
  receivedAt: number;
  /** What the receiver answered; 0 when it never answered. */
  status: number;
}

/** `status: 0` never answers (the request hangs until the sender gives up or dies). */
export type WebhookResponder = (
  request: Omit<ReceivedWebhook, 'status'>,
  attempt: number,
) => { status: number; headers?: Record<string, string> };

/**
 * A local webhook receiver recording every request. `respond` decides each answer (by
 * default 200); `attempt` counts requests with the same `webhook-id`, from 1.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  let respond: WebhookResponder = () => ({ status: 200 });
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = {
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body,
        json: JSON.parse(body),
        receivedAt: Date.now(),
      };
      const attempt = received.filter((r) => r.id === request.id).length + 1;
      const answer = respond(request, attempt);
      received.push({ ...request, status: answer.status });
      if (answer.status !== 0) res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/herald`,
    received,
    respondWith(responder: WebhookResponder) {
      respond = responder;
    },
    /** Requests about one notification. */
    about(notificationId: string) {
      return received.filter((r) => r.json.data.notification.id === notificationId);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** A real SMTP server (smtp-server) that parses every message it accepts (mailparser). */
export async function startSmtpServer() {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = (server as unknown as { server: Server }).server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** Mails whose subject is `subject`. */
    withSubject: (subject: string) => mails.filter((m) => m.subject === subject),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type SmtpSink = Awaited<ReturnType<typeof startSmtpServer>>;

/** The environment of an API with both channels pointed at the local receivers. */
export function channelsEnv(
  webhook: WebhookReceiver,
  smtp: SmtpSink,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ESCALATION_DELAY_SECONDS: '1',
    ESCALATION_POLL_INTERVAL_MS: '100',
    ESCALATION_WEBHOOK_URL: webhook.url,
    WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    WEBHOOK_RETRY_SECONDS: '0.2,0.4',
    ESCALATION_TIMEOUT_MS: '2000',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Herald <herald@example.com>',
    ...extra,
  };
}

/** The value of one sample of `/api/metrics` whose labels include `labels` (0 when absent). */
export async function metricValue(
  api: ApiProcess,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${api.url}/api/metrics`)).text();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}
