import { Body, Controller, Get, Inject, Param, Put, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  ApiKeyGuard,
  CurrentUser,
  JwtAuthGuard,
  ZodValidationPipe,
  type AuthenticatedUser,
} from '@herald/realtime';
import { ErrorCode, preferencesSchema, userIdSchema, type Preferences } from '@herald/ws-contracts';
import {
  ApiContractBody,
  ApiContractResponse,
  ApiErrors,
  ApiServiceAuth,
  ApiUserAuth,
} from '../openapi/api-docs.decorators';
import { PreferencesService } from './preferences.service';

const preferencesPipe = new ZodValidationPipe(preferencesSchema);
const userIdPipe = new ZodValidationPipe(userIdSchema);

/** The user's own preferences (Bearer JWT) and any user's (service key). */
@ApiTags('preferences')
@Controller()
export class PreferencesController {
  constructor(@Inject(PreferencesService) private readonly preferences: PreferencesService) {}

  @Get('preferences')
  @UseGuards(JwtAuthGuard)
  @ApiOperation({ summary: "The user's channel preferences (defaults when never set)" })
  @ApiUserAuth()
  @ApiContractResponse(200, 'The preferences', 'Preferences')
  @ApiErrors(ErrorCode.Unavailable)
  mine(@CurrentUser() user: AuthenticatedUser): Promise<Preferences> {
    return this.preferences.get(user.userId);
  }

  @Put('preferences')
  @UseGuards(JwtAuthGuard)
  @ApiOperation({
    summary: "Replace the user's preferences; every device gets preferences:updated",
  })
  @ApiUserAuth()
  @ApiContractBody('Preferences')
  @ApiContractResponse(200, 'The stored preferences', 'Preferences')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  replaceMine(
    @CurrentUser() user: AuthenticatedUser,
    @Body(preferencesPipe) body: Preferences,
  ): Promise<Preferences> {
    return this.preferences.replace(user.userId, body);
  }

  @Get('users/:userId/preferences')
  @UseGuards(ApiKeyGuard)
  @ApiOperation({ summary: "Service: a user's channel preferences" })
  @ApiParam({ name: 'userId' })
  @ApiServiceAuth()
  @ApiContractResponse(200, 'The preferences', 'Preferences')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  ofUser(@Param('userId', userIdPipe) userId: string): Promise<Preferences> {
    return this.preferences.get(userId);
  }

  @Put('users/:userId/preferences')
  @UseGuards(ApiKeyGuard)
  @ApiOperation({
    summary: "Service: replace a user's preferences; every device gets preferences:updated",
  })
  @ApiParam({ name: 'userId' })
  @ApiServiceAuth()
  @ApiContractBody('Preferences')
  @ApiContractResponse(200, 'The stored preferences', 'Preferences')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  replaceOfUser(
    @Param('userId', userIdPipe) userId: string,
    @Body(preferencesPipe) body: Preferences,
  ): Promise<Preferences> {
    return this.preferences.replace(userId, body);
  }
}
