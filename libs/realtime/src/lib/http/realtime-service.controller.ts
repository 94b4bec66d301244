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
  Query,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import {
  ErrorCode,
  HeraldError,
  userIdSchema,
  type DeliveryResponse,
  type DisconnectResponse,
  type EventBatchResponse,
  type PresenceResponse,
} from '@herald/ws-contracts';
import { ApiKeyGuard } from '../auth/api-key.guard';
import type { ClusterDisconnectOutcome } from '../cluster/cluster-disconnect';
import {
  DEFAULT_PRESENCE_PAGE_SIZE,
  presenceListQuerySchema,
  type ConnectedUsersPage,
} from '../presence/presence-list';
import { TokenRevocations } from '../revocation/token-revocations';
import { WebSocketService } from '../websocket.service';
import {
  ServerEventBatchBodyPipe,
  type ValidServerEventBatchItem,
} from './server-event-batch-body.pipe';
import { ServerEventBodyPipe, type ValidServerEventBody } from './server-event-body.pipe';
import { ZodValidationPipe } from './zod-validation.pipe';

const eventBody = new ServerEventBodyPipe();
const eventBatchBody = new ServerEventBatchBodyPipe();
const userIdParam = new ZodValidationPipe(userIdSchema);
const presenceListQuery = new ZodValidationPipe(presenceListQuerySchema);

/** Body of the disconnect endpoint; none at all is the same as `{}`. */
const disconnectBodySchema = z
  .strictObject({
    /** Also refuse, cluster-wide, every token of the user issued up to now. */
    revokeTokensIssuedBefore: z.boolean().optional(),
  })
  .optional();
const disconnectBody = new ZodValidationPipe(disconnectBodySchema);

/** The disconnect answer: `disconnected` as before, plus what the cluster confirmed. */
export type UserDisconnectResponse = DisconnectResponse &
  Omit<ClusterDisconnectOutcome, 'disconnected'> & {
    /** ISO time; tokens of the user issued up to this second are refused from now on. */
    tokensRevokedBefore?: string;
  };

/**
 * Service endpoints for other backends: `x-api-key` only. Emits are
 * fire-and-forget, so they answer 202 Accepted with `{ delivered }` (whether the user had
 * a connected socket when it was sent); presence and disconnect answer 200.
 */
@Controller('realtime')
@UseGuards(ApiKeyGuard)
export class RealtimeServiceController {
  private readonly logger = new Logger('Realtime');

  constructor(
    @Inject(WebSocketService) private readonly ws: WebSocketService,
    @Inject(TokenRevocations) private readonly revocations: TokenRevocations,
  ) {}

  /**
   * Many typed server events, each to every device of its user, for backends that send a
   * lot: one request, one validation pass and one presence lookup instead of one of each
   * per event. All or nothing: one invalid item refuses the request and nothing is sent.
   * Events go out in request order, so each user gets theirs in that order.
   * `delivered[i]` tells whether the user of item i had a connected socket.
   */
  @Post('events')
  @HttpCode(HttpStatus.ACCEPTED)
  async emitBatch(
    @Body(eventBatchBody) items: ValidServerEventBatchItem[],
  ): Promise<EventBatchResponse> {
    const online = await this.cluster(() =>
      this.ws.areUsersConnected(items.map((item) => item.userId)),
    );
    for (const item of items) this.ws.emitToUser(item.userId, item.event, item.payload);
    return {
      accepted: items.length,
      delivered: items.map((item) => online.get(item.userId) ?? false),
    };
  }

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

  /**
   * Connected users across the cluster, keyset-paged in userId order:
   * `?limit=1..1000 (default 100)&cursor=<nextCursor of the previous page>`.
   */
  @Get('presence')
  async presenceList(
    @Query(presenceListQuery) query: z.output<typeof presenceListQuerySchema>,
  ): Promise<ConnectedUsersPage> {
    return this.cluster(() =>
      this.ws.getConnectedUsersAfter(query.limit ?? DEFAULT_PRESENCE_PAGE_SIZE, query.cursor),
    );
  }

  /**
   * Sign-out everywhere / revoked account: closes the user's sockets on this process at
   * once, asks the other processes and reports who confirmed (a frozen or unreachable one
   * never holds up the rest). With `revokeTokensIssuedBefore: true` the user's tokens issued
   * up to now are refused from then on, by every process, on sockets and HTTP alike, so the
   * user cannot reconnect with the token it has.
   */
  @Post('users/:userId/disconnect')
  @HttpCode(HttpStatus.OK)
  async disconnect(
    @Param('userId', userIdParam) userId: string,
    @Body(disconnectBody) body: z.output<typeof disconnectBodySchema>,
  ): Promise<UserDisconnectResponse> {
    // Revoke first: a reconnect racing the disconnect is then refused too.
    const revokedBefore = body?.revokeTokensIssuedBefore
      ? await this.cluster(() => this.revocations.revokeIssuedBefore(userId))
      : undefined;
    const outcome = await this.ws.disconnectUserEverywhere(userId);
    return revokedBefore
      ? { ...outcome, tokensRevokedBefore: revokedBefore.toISOString() }
      : outcome;
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
