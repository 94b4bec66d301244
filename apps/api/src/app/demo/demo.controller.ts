import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { JwtAuthGuard, WebSocketService, ZodValidationPipe } from '@herald/realtime';
import {
  ErrorCode,
  grantXpBodySchema,
  notificationIdSchema,
  serverEventBodySchema,
  type DeliveryResponse,
  type DemoUser,
  type GrantXpBody,
  type GrantXpResponse,
  type Notification,
  type NotificationStatus,
  type ServerEventPayloads,
} from '@herald/ws-contracts';
import { DemoEnabledGuard } from '../auth/demo-enabled.guard';
import { DEMO_USERS } from '../auth/demo-users';
import { GamificationService } from '../gamification/gamification.service';
import { CreateNotificationBodyPipe } from '../notifications/create-notification-body.pipe';
import { NotificationsService } from '../notifications/notifications.service';
import {
  ApiContractBody,
  ApiContractResponse,
  ApiErrors,
  ApiUserAuth,
  schemaRef,
} from '../openapi/api-docs.decorators';

/**
 * What the demo web app needs besides the user API, so the browser never holds the
 * service key: any signed-in demo user may act as "the service". Exists only while
 * DEMO_AUTH is on (404 otherwise), and never in production.
 */
@ApiTags('demo')
@Controller('demo')
@UseGuards(DemoEnabledGuard, JwtAuthGuard)
@ApiUserAuth()
@ApiErrors(ErrorCode.NotFound)
export class DemoController {
  constructor(
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
    @Inject(CreateNotificationBodyPipe) private readonly createBody: CreateNotificationBodyPipe,
    @Inject(GamificationService) private readonly gamification: GamificationService,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
  ) {}

  @Get('users')
  @ApiOperation({ summary: 'The demo users one can sign in as' })
  @ApiContractResponse(200, 'The demo users', 'DemoUserList')
  users(): readonly DemoUser[] {
    return DEMO_USERS;
  }

  @Post('notifications')
  @ApiOperation({
    summary:
      'Send a notification as the service would (same body and answer as POST /api/notifications)',
  })
  @ApiContractBody('CreateNotificationBody')
  @ApiResponse({
    status: 201,
    schema: { oneOf: [schemaRef('Notification'), schemaRef('NotificationList')] },
  })
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  send(@Body() body: unknown): Promise<Notification | Notification[]> {
    return this.notifications.sendRequested(this.createBody.transform(body));
  }

  @Get('notifications/:id/status')
  @ApiOperation({
    summary:
      'Where a notification stands, as the service sees it (same answer as GET /api/notifications/:id/status)',
  })
  @ApiContractResponse(200, 'The delivery status', 'NotificationStatus')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  status(
    @Param('id', new ZodValidationPipe(notificationIdSchema)) id: string,
  ): Promise<NotificationStatus> {
    return this.notifications.status(id);
  }

  @Post('xp')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Grant XP as the service would (same body and answer as POST /api/gamification/xp)',
  })
  @ApiContractBody('GrantXpBody')
  @ApiContractResponse(200, 'The grant outcome', 'GrantXpResponse')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  grantXp(
    @Body(new ZodValidationPipe(grantXpBodySchema)) body: GrantXpBody,
  ): Promise<GrantXpResponse> {
    return this.gamification.grantXp(body.userId, body.amount, body.source);
  }

  @Post('broadcast')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Send a typed server event (validated against the contract) to every connected socket',
  })
  @ApiContractBody('ServerEventBody')
  @ApiContractResponse(200, 'Handed to Socket.IO', 'Delivery')
  @ApiErrors(ErrorCode.InvalidPayload)
  broadcast(
    @Body(new ZodValidationPipe(serverEventBodySchema)) body: { event: string; payload: unknown },
  ): DeliveryResponse {
    const event = body.event as keyof ServerEventPayloads;
    this.ws.broadcast(event, body.payload as ServerEventPayloads[typeof event]);
    return { delivered: true };
  }
}
