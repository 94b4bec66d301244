import { Logger } from '@nestjs/common';
import {
  WEBHOOK_EVENT_TYPE,
  WebhookHeader,
  signWebhook,
  type NotificationEscalatedWebhook,
} from '@herald/ws-contracts';
import type { Clock } from '../escalation/clock';
import type { EscalationMessage, EscalationSender, SendOutcome } from './escalation-channel';
import { parseRetryAfter } from './retry-after';

export interface WebhookChannelOptions {
  /** http(s) only: the configuration refuses anything else. */
  url: string;
  /** `whsec_…` */
  secret: string;
  timeoutMs: number;
}

/**
 * POSTs an escalation to ESCALATION_WEBHOOK_URL, signed as Standard Webhooks. The
 * `webhook-id` is the escalation's id, so every retry (and a resend after a crash) carries
 * the same one and the receiver can drop duplicates. Redirects are not followed: a 3xx is
 * an answer that is not 2xx, so it is retried like any other.
 */
export class WebhookChannel implements EscalationSender {
  readonly channel = 'webhook' as const;
  private readonly logger = new Logger(WebhookChannel.name);

  constructor(
    private readonly options: WebhookChannelOptions,
    private readonly clock: Clock,
  ) {}

  async send({ escalationId, notification, user }: EscalationMessage): Promise<SendOutcome> {
    const now = this.clock.now();
    const payload: NotificationEscalatedWebhook = {
      type: WEBHOOK_EVENT_TYPE,
      timestamp: now.toISOString(),
      data: {
        notification,
        user: { id: user.id, email: user.email, timezone: user.timezone },
      },
    };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(now.getTime() / 1000);
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Herald-Webhooks/1',
          [WebhookHeader.Id]: escalationId,
          [WebhookHeader.Timestamp]: String(timestamp),
          [WebhookHeader.Signature]: await signWebhook(
            this.options.secret,
            escalationId,
            timestamp,
            body,
          ),
        },
        body,
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return {
        status: 'failed',
        error: timedOut
          ? `no answer within ${this.options.timeoutMs} ms`
          : `request failed: ${errorMessage(error)}`,
      };
    }
    // The body is not read; cancelling it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { status: 'sent' };
    this.logger.debug({ msg: 'Webhook answered with an error', status: response.status });
    return {
      status: 'failed',
      error: `answered HTTP ${response.status}`,
      retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), this.clock.now()),
    };
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
