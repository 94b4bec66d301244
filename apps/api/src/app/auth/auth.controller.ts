import { Body, Controller, HttpCode, HttpStatus, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ZodValidationPipe } from '@herald/realtime';
import {
  ErrorCode,
  demoLoginBodySchema,
  type DemoLoginBody,
  type DemoLoginResponse,
} from '@herald/ws-contracts';
import { GamificationService } from '../gamification/gamification.service';
import { ApiContractBody, ApiContractResponse, ApiErrors } from '../openapi/api-docs.decorators';
import { DemoEnabledGuard } from './demo-enabled.guard';
import { DemoTokenService } from './demo-token.service';

@ApiTags('demo')
@Controller('auth')
export class AuthController {
  constructor(
    @Inject(DemoTokenService) private readonly tokens: DemoTokenService,
    @Inject(GamificationService) private readonly gamification: GamificationService,
  ) {}

  @Post('demo-login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(DemoEnabledGuard)
  @ApiOperation({
    summary: 'Demo sign-in: a signed JWT for any email (only while DEMO_AUTH is on; 404 otherwise)',
    description:
      'The first sign-in of a user unlocks the "first-sign-in" achievement (stored in the inbox).',
  })
  @ApiContractBody('DemoLoginBody')
  @ApiContractResponse(200, 'The token and who it is for', 'DemoLoginResponse')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.NotFound, ErrorCode.Unavailable)
  async demoLogin(
    @Body(new ZodValidationPipe(demoLoginBodySchema)) body: DemoLoginBody,
  ): Promise<DemoLoginResponse> {
    const user = this.tokens.resolveUser(body);
    await this.gamification.recordSignIn(user.id, user.name);
    return this.tokens.issue(user);
  }
}
