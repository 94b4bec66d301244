import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiKeyGuard,
  CurrentUser,
  JwtAuthGuard,
  ZodValidationPipe,
  type AuthenticatedUser,
} from '@herald/realtime';
import {
  ErrorCode,
  listNotificationsQuerySchema,
  notificationIdSchema,
  type ListNotificationsQuery,
  type Notification,
  type NotificationPage,
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

  @Post()
  @UseGuards(ApiKeyGuard)
  @ApiOperation({
    summary:
      'Service: store one notification per recipient (one transaction) and push it to every device',
    description:
      'With `userId` the answer is the stored notification; with `userIds` it is the array of stored ' +
      'notifications, one per distinct user id, in request order. Up to MAX_RECIPIENTS (default 1000) ids.',
  })
  @ApiServiceAuth()
  @ApiContractBody('CreateNotificationBody')
  @ApiResponse({
    status: 201,
    description: 'The stored notification (for userId) or notifications (for userIds)',
    schema: { oneOf: [schemaRef('Notification'), schemaRef('NotificationList')] },
  })
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.PayloadTooLarge, ErrorCode.Unavailable)
  create(@Body() body: unknown): Promise<Notification | Notification[]> {
    return this.notifications.sendRequested(this.createBody.transform(body));
  }
}
