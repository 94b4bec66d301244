import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, JwtAuthGuard, ZodValidationPipe } from '@herald/realtime';
import {
  ErrorCode,
  grantXpBodySchema,
  type GrantXpBody,
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
  @ApiContractBody('GrantXpBody')
  @ApiContractResponse(
    200,
    'The new total, rank and the achievements this grant unlocked',
    'GrantXpResponse',
  )
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  grantXp(
    @Body(new ZodValidationPipe(grantXpBodySchema)) body: GrantXpBody,
  ): Promise<GrantXpResponse> {
    return this.gamification.grantXp(body.userId, body.amount, body.source);
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
