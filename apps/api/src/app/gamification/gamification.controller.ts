import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, JwtAuthGuard, ZodValidationPipe } from '@herald/realtime';
import { IDEMPOTENCY_KEY_HEADER, idempotentRequest } from '../idempotency/idempotent-request';
import { ApiIdempotencyKey, replyIdempotent } from '../idempotency/idempotent-reply';
import {
  ErrorCode,
  grantXpBodySchema,
  type GrantXpResponse,
  type LeaderboardUpdatedPayload,
} from '@herald/ws-contracts';
import {
  ApiContractBody,
  ApiContractResponse,
  ApiErrors,
  ApiServiceAuth,
  ApiUserAuth,
} from '../openapi/api-docs.decorators';
import { GamificationService } from './gamification.service';

const grantXpBody = new ZodValidationPipe(grantXpBodySchema);

@ApiTags('gamification')
@Controller('gamification')
export class GamificationController {
  constructor(@Inject(GamificationService) private readonly gamification: GamificationService) {}

  @Post('xp')
  @HttpCode(HttpStatus.OK)
  @UseGuards(ApiKeyGuard)
  @ApiOperation({
    summary:
      'Service: grant XP; pushes xp:gained, and rank:updated, achievement:unlocked, leaderboard:updated when earned',
  })
  @ApiServiceAuth()
  @ApiIdempotencyKey()
  @ApiContractBody('GrantXpBody')
  @ApiContractResponse(
    200,
    'The new total, rank and the achievements this grant unlocked',
    'GrantXpResponse',
  )
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.IdempotencyKeyReused, ErrorCode.Unavailable)
  async grantXp(
    @Body() raw: unknown,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<GrantXpResponse> {
    const idempotency = idempotentRequest('POST /api/gamification/xp', idempotencyKey, raw);
    const body = grantXpBody.transform(raw);
    const outcome = await this.gamification.grantXpOnce(
      body.userId,
      body.amount,
      body.source,
      idempotency,
    );
    return replyIdempotent(res, outcome) as GrantXpResponse;
  }

  @Get('leaderboard')
  @UseGuards(JwtAuthGuard)
  @ApiOperation({ summary: 'The top players, the same list leaderboard:updated carries' })
  @ApiUserAuth()
  @ApiContractResponse(200, 'The leaderboard', 'Leaderboard')
  @ApiErrors(ErrorCode.Unavailable)
  async leaderboard(): Promise<LeaderboardUpdatedPayload> {
    return { leaderboard: await this.gamification.leaderboard() };
  }
}
