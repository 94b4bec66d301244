import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Logger,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ErrorCode,
  HeraldError,
  userIdSchema,
  type DeliveryResponse,
  type DisconnectResponse,
  type PresenceResponse,
} from '@herald/ws-contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { WebSocketService } from '../websocket.service';
import { ServerEventBodyPipe, type ValidServerEventBody } from './server-event-body.pipe';
import { ZodValidationPipe } from './zod-validation.pipe';

const eventBody = new ServerEventBodyPipe();
const userIdParam = new ZodValidationPipe(userIdSchema);

/**
 * Service endpoints (SPEC §4) for other backends: `x-api-key` only. Emits are
 * fire-and-forget, so they answer 202 Accepted with `{ delivered }` (whether the user had
 * a connected socket when it was sent); presence and disconnect answer 200.
 */
@Controller('realtime')
@UseGuards(ApiKeyGuard)
export class RealtimeServiceController {
  private readonly logger = new Logger('Realtime');

  constructor(@Inject(WebSocketService) private readonly ws: WebSocketService) {}

  /** A typed server event to every device of one user. */
  @Post('users/:userId/events')
  @HttpCode(HttpStatus.ACCEPTED)
  async emitToUser(
    @Param('userId', userIdParam) userId: string,
    @Body(eventBody) body: ValidServerEventBody,
  ): Promise<DeliveryResponse> {
    const delivered = await this.cluster(() => this.ws.isUserConnected(userId));
    this.ws.emitToUser(userId, body.event, body.payload);
    return { delivered };
  }

  /** A typed server event to every connected socket. */
  @Post('broadcast')
  @HttpCode(HttpStatus.ACCEPTED)
  broadcast(@Body(eventBody) body: ValidServerEventBody): DeliveryResponse {
    this.ws.broadcast(body.event, body.payload);
    return { delivered: true };
  }

  @Get('users/:userId/presence')
  async presence(@Param('userId', userIdParam) userId: string): Promise<PresenceResponse> {
    const sockets = await this.cluster(() => this.ws.getUserSocketCount(userId));
    return { online: sockets > 0, sockets };
  }

  /** Sign-out everywhere / revoked account: closes every socket of the user. */
  @Post('users/:userId/disconnect')
  @HttpCode(HttpStatus.OK)
  async disconnect(@Param('userId', userIdParam) userId: string): Promise<DisconnectResponse> {
    return { disconnected: await this.cluster(() => this.ws.disconnectUser(userId)) };
  }

  /**
   * Presence and disconnects may ask every process (Redis); when that fails the answer is
   * 503 SERVICE_UNAVAILABLE, so the caller retries, rather than a 500.
   */
  private async cluster<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      this.logger.error({ msg: 'Cluster query failed', err: error });
      throw new HeraldError(
        ErrorCode.Unavailable,
        'Presence is unavailable right now; retry shortly',
        { cause: error },
      );
    }
  }
}
