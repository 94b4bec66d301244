import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  ApiKeyGuard,
  CurrentUser,
  JwtAuthGuard,
  ZodValidationPipe,
  type AuthenticatedUser,
} from '@herald/realtime';
import {
  ErrorCode,
  LIMITS,
  listNotificationsQuerySchema,
  notificationIdSchema,
  type ListNotificationsQuery,
  type Notification,
  type NotificationBatchResponse,
  type NotificationPage,
  type NotificationStatus,
  type UnreadCountResponse,
} from '@herald/ws-contracts';
import {
  ApiContractBody,
  ApiContractResponse,
  ApiErrors,
  ApiServiceAuth,
  ApiUserAuth,
  schemaRef,
} from '../openapi/api-docs.decorators';
import { IDEMPOTENCY_KEY_HEADER, idempotentRequest } from '../idempotency/idempotent-request';
import { ApiIdempotencyKey, replyIdempotent } from '../idempotency/idempotent-reply';
import { CreateNotificationBatchBodyPipe } from './create-notification-batch-body.pipe';
import { CreateNotificationBodyPipe } from './create-notification-body.pipe';
import { NotificationsService, type ReadAllResult, type ReadResult } from './notifications.service';

const idPipe = new ZodValidationPipe(notificationIdSchema);

/** The user's own inbox (Bearer JWT) and the service endpoint that fills inboxes (x-api-key). */
@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
    @Inject(CreateNotificationBodyPipe) private readonly createBody: CreateNotificationBodyPipe,
    @Inject(CreateNotificationBatchBodyPipe)
    private readonly createBatchBody: CreateNotificationBatchBodyPipe,
  ) {}

  @Get()
  @UseGuards(JwtAuthGuard)
  @ApiOperation({ summary: "The user's notifications, newest first, with a keyset cursor" })
  @ApiQuery({ name: 'unread', required: false, enum: ['true', 'false', '1', '0'] })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiUserAuth()
  @ApiContractResponse(200, 'One page of the inbox', 'NotificationPage')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query(new ZodValidationPipe(listNotificationsQuerySchema)) query: ListNotificationsQuery,
  ): Promise<NotificationPage> {
    return this.notifications.list(user.userId, query);
  }

  @Get('unread-count')
  @UseGuards(JwtAuthGuard)
  @ApiOperation({ summary: 'How many of the user’s notifications are unread' })
  @ApiUserAuth()
  @ApiContractResponse(200, 'The unread count', 'UnreadCount')
  @ApiErrors(ErrorCode.Unavailable)
  async unreadCount(@CurrentUser() user: AuthenticatedUser): Promise<UnreadCountResponse> {
    return { unreadCount: await this.notifications.unreadCount(user.userId) };
  }

  @Patch(':id/read')
  @UseGuards(JwtAuthGuard)
  @ApiOperation({
    summary: 'Mark one notification read; every device gets notification:read and the unread count',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiUserAuth()
  @ApiContractResponse(200, 'Marked read (also when it already was)', 'ReadResult')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.NotFound, ErrorCode.Unavailable)
  markRead(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', idPipe) id: string,
  ): Promise<ReadResult> {
    return this.notifications.markRead(user.userId, id);
  }

  @Post('read-all')
  @HttpCode(HttpStatus.OK)
  @UseGuards(JwtAuthGuard)
  @ApiOperation({
    summary: 'Mark every notification read; every device gets notification:read {all:true}',
  })
  @ApiUserAuth()
  @ApiContractResponse(200, 'How many changed, and the unread count (0)', 'ReadAllResult')
  @ApiErrors(ErrorCode.Unavailable)
  markAllRead(@CurrentUser() user: AuthenticatedUser): Promise<ReadAllResult> {
    return this.notifications.markAllRead(user.userId);
  }

  @Delete(':id')
  @UseGuards(JwtAuthGuard)
  @ApiOperation({
    summary: 'Delete one notification for good; every device gets notification:deleted',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiUserAuth()
  @ApiContractResponse(200, 'Deleted', 'ReadResult')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.NotFound, ErrorCode.Unavailable)
  delete(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', idPipe) id: string,
  ): Promise<ReadResult> {
    return this.notifications.delete(user.userId, id);
  }

  @Get(':id/status')
  @UseGuards(ApiKeyGuard)
  @ApiOperation({
    summary:
      'Service: where one notification stands — created, received by a device, read, escalated',
    description:
      '`deliveredAt` is the first receipt (`notification:received`) from any device of the user; ' +
      '`escalations` lists every channel the notification was escalated to.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiServiceAuth()
  @ApiContractResponse(200, 'The delivery status', 'NotificationStatus')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.NotFound, ErrorCode.Unavailable)
  status(@Param('id', idPipe) id: string): Promise<NotificationStatus> {
    return this.notifications.status(id);
  }

  @Post()
  @UseGuards(ApiKeyGuard)
  @ApiOperation({
    summary:
      'Service: store one notification per recipient (one transaction) and push it to every device',
    description:
      'With `userId` the answer is the stored notification; with `userIds` it is the array of stored ' +
      'notifications, one per distinct user id, in request order. Up to MAX_RECIPIENTS (default 1000) ids; ' +
      '`data` up to NOTIFICATION_DATA_MAX_BYTES (default 16 KB) as JSON. With `expiresAt` the notification ' +
      'leaves every inbox at that time. With an `Idempotency-Key` a retry answers the first answer again.',
  })
  @ApiServiceAuth()
  @ApiIdempotencyKey()
  @ApiContractBody('CreateNotificationBody')
  @ApiResponse({
    status: 201,
    description: 'The stored notification (for userId) or notifications (for userIds)',
    schema: { oneOf: [schemaRef('Notification'), schemaRef('NotificationList')] },
  })
  @ApiErrors(
    ErrorCode.InvalidPayload,
    ErrorCode.PayloadTooLarge,
    ErrorCode.IdempotencyKeyReused,
    ErrorCode.Unavailable,
  )
  async create(
    @Body() body: unknown,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Notification | Notification[]> {
    return replyIdempotent(res, await this.createOutcome(body, idempotencyKey)) as
      Notification | Notification[];
  }

  /**
   * The send behind `POST /api/notifications`, from the raw body and `Idempotency-Key`:
   * validated, stored and pushed, or the first answer replayed. Also called by the
   * service fast lane, which answers the same requests without the framework's pipeline.
   */
  async createOutcome(body: unknown, idempotencyKey: string | string[] | undefined) {
    const idempotency = idempotentRequest('POST /api/notifications', idempotencyKey, body);
    const input = this.createBody.transform(body);
    return this.notifications.sendOnce(input, idempotency);
  }

  @Post('batch')
  @UseGuards(ApiKeyGuard)
  @ApiOperation({
    summary:
      'Service: many sends in one request, stored in one transaction (all or none), then pushed',
    description:
      `For backends that send many: one request costs far less than one per send. Each item of ` +
      `\`notifications\` is a body of POST /api/notifications, validated the same way; one invalid item ` +
      `refuses the whole request (400, each problem naming its item, e.g. \`notifications[3].title\`) and ` +
      `nothing is stored. 1–${LIMITS.maxBatchNotifications} items, naming at most MAX_RECIPIENTS (default 1000) ` +
      'recipients and writing at most SEND_MAX_BYTES in all. Every item is stored in one transaction, then ' +
      'each recipient gets notification:new (in item order) and their unread count. The answer lists, per ' +
      'item in order, its notification (`userId`) or its notifications (`userIds`). With an ' +
      '`Idempotency-Key` a retry answers the first answer again.',
  })
  @ApiServiceAuth()
  @ApiIdempotencyKey()
  @ApiContractBody('CreateNotificationBatchBody')
  @ApiContractResponse(201, 'The stored notifications, per item in order', 'NotificationBatch')
  @ApiErrors(
    ErrorCode.InvalidPayload,
    ErrorCode.PayloadTooLarge,
    ErrorCode.IdempotencyKeyReused,
    ErrorCode.Unavailable,
  )
  async createBatch(
    @Body() body: unknown,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NotificationBatchResponse> {
    return replyIdempotent(
      res,
      await this.createBatchOutcome(body, idempotencyKey),
    ) as NotificationBatchResponse;
  }

  /** The sends behind `POST /api/notifications/batch` (see `createOutcome`). */
  async createBatchOutcome(body: unknown, idempotencyKey: string | string[] | undefined) {
    const idempotency = idempotentRequest('POST /api/notifications/batch', idempotencyKey, body);
    const inputs = this.createBatchBody.transform(body);
    return this.notifications.sendBatchOnce(inputs, idempotency);
  }
}
