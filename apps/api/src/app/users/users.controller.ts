import { Body, Controller, Inject, Param, Put, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ZodValidationPipe } from '@herald/realtime';
import {
  ErrorCode,
  updateUserBodySchema,
  userIdSchema,
  type UpdateUserBody,
} from '@herald/ws-contracts';
import {
  ApiContractBody,
  ApiContractResponse,
  ApiErrors,
  ApiServiceAuth,
} from '../openapi/api-docs.decorators';
import { UserEmailRecorder } from './user-email-recorder';
import { UsersRepository, type UserProfile } from './users.repository';

const userIdPipe = new ZodValidationPipe(userIdSchema);

/** What a service tells Herald about a user who may never have connected. */
@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(UserEmailRecorder) private readonly recorder: UserEmailRecorder,
  ) {}

  @Put(':userId')
  @UseGuards(ApiKeyGuard)
  @ApiOperation({
    summary: "Service: set a user's e-mail address and/or time zone (null clears one)",
  })
  @ApiParam({ name: 'userId' })
  @ApiServiceAuth()
  @ApiContractBody('UpdateUserBody')
  @ApiContractResponse(200, 'What Herald now knows of the user', 'UserProfile')
  @ApiErrors(ErrorCode.InvalidPayload, ErrorCode.Unavailable)
  async update(
    @Param('userId', userIdPipe) userId: string,
    @Body(new ZodValidationPipe(updateUserBodySchema)) body: UpdateUserBody,
  ): Promise<UserProfile> {
    const profile = await this.users.upsert(userId, body);
    // The next connect with a token address records it again, even if it is the old one.
    if (body.email !== undefined) this.recorder.forget(userId);
    return profile;
  }
}
