import {
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Req,
  UseGuards,
  type RawBodyRequest,
} from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { JwtAuthGuard } from '@herald/realtime';
import {
  ErrorCode,
  HeraldError,
  WebhookHeader,
  WebhookVerificationError,
  notificationSchema,
  verifyWebhook,
  type NotificationEscalatedWebhook,
  type DemoWebhookDelivery,
} from '@herald/ws-contracts';
import { DemoEnabledGuard } from '../auth/demo-enabled.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ApiErrors, ApiUserAuth } from '../openapi/api-docs.decorators';
import { WebhookInbox } from './webhook-inbox';

/** What the inbox reads of a webhook's notification; the rest is not checked. */
const listedFields = notificationSchema.pick({ id: true, userId: true, title: true });

const isoTime = { type: 'string', format: 'date-time' } as const;
const WEBHOOK_INBOX_ENTRY_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', description: '`webhook-id`: the escalation id' },
    timestamp: { ...isoTime, description: 'When Herald sent it' },
    receivedAt: { ...isoTime, description: 'When this receiver verified it' },
    type: { type: 'string', example: 'notification.escalated' },
    notificationId: { type: 'string', format: 'uuid' },
    title: { type: 'string' },
    userId: { type: 'string' },
  },
  required: ['id', 'timestamp', 'receivedAt', 'type', 'notificationId', 'title', 'userId'],
};

/**
 * A local receiver for escalation webhooks, so the demo shows what leaves Herald without
 * an outside service (`npm start` points ESCALATION_WEBHOOK_URL here when nothing else is
 * configured). It is also the worked example of a receiver: verify the Standard Webhooks
 * signature over the raw body with WEBHOOK_SECRET, refuse anything else with 401, drop
 * duplicates by `webhook-id`. Exists only while DEMO_AUTH is on (404 otherwise).
 */
@ApiTags('demo')
@Controller('demo/webhook-inbox')
@UseGuards(DemoEnabledGuard)
@ApiErrors(ErrorCode.NotFound)
export class WebhookInboxController {
  private readonly secret: string | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(WebhookInbox) private readonly inbox: WebhookInbox,
  ) {
    this.secret = config.escalation.webhook?.secret;
  }

  // No user token: Herald itself calls this, and the signature is the credential.
  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Demo: receive an escalation webhook, verify its signature, keep it in the inbox',
  })
  @ApiResponse({ status: 204, description: 'Verified and listed (or a retry already listed)' })
  @ApiErrors(ErrorCode.TokenInvalid, ErrorCode.InvalidPayload)
  async receive(@Req() req: RawBodyRequest<Request>): Promise<void> {
    if (!this.secret) {
      throw new HeraldError(
        ErrorCode.TokenInvalid,
        'No WEBHOOK_SECRET is configured, so no webhook can be verified',
      );
    }
    // The bytes as signed: a body re-serialised from the parsed JSON may differ from them.
    const body = req.rawBody?.toString('utf8') ?? '';
    let event: NotificationEscalatedWebhook;
    try {
      event = await verifyWebhook(this.secret, req.headers, body);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      throw new HeraldError(ErrorCode.TokenInvalid, `Webhook refused: ${error.message}`);
    }
    // Signed means sent by a holder of the secret, not that the body has the expected shape.
    const parsed = listedFields.safeParse(event.data?.notification);
    if (!parsed.success) {
      throw new HeraldError(
        ErrorCode.InvalidPayload,
        'A verified webhook without data.notification',
      );
    }
    const notification = parsed.data;
    const id = req.headers[WebhookHeader.Id];
    this.inbox.record({
      id: Array.isArray(id) ? id[0] : String(id),
      timestamp: event.timestamp,
      receivedAt: new Date().toISOString(),
      type: event.type,
      notificationId: notification.id,
      title: notification.title,
      userId: notification.userId,
    });
  }

  @Get()
  @UseGuards(JwtAuthGuard)
  @ApiOperation({ summary: 'Demo: the last 50 verified escalation webhooks, newest first' })
  @ApiResponse({
    status: 200,
    description: 'Verified deliveries, newest first',
    schema: { type: 'array', items: WEBHOOK_INBOX_ENTRY_SCHEMA },
  })
  @ApiUserAuth()
  list(): DemoWebhookDelivery[] {
    return this.inbox.list();
  }
}
