import {
  Body,
  Controller,
  Delete,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import { userIdSchema } from '@herald/ws-contracts';
import { ApiKeyGuard, WebSocketService, ZodValidationPipe } from '@herald/realtime';
import {
  GROUP_MESSAGE_EVENT,
  groupIdSchema,
  groupMessageBodySchema,
  groupRoom,
} from './group-events';
import { GroupMembershipService } from './group-membership.service';

interface MembershipResponse {
  groupId: string;
  userId: string;
  members: string[];
}

const groupIdParam = new ZodValidationPipe(groupIdSchema);
const userIdParam = new ZodValidationPipe(userIdSchema);

/**
 * Demo of server-decided rooms (service API, `x-api-key`): membership changes move the
 * user's connected sockets in or out of `group:{id}` at once, on every process (through the
 * Socket.IO adapter); sockets that connect later join through the room resolver registered
 * in GroupsModule, which reads the same shared membership.
 */
@Controller('groups')
@UseGuards(ApiKeyGuard)
export class GroupsController {
  constructor(
    @Inject(GroupMembershipService) private readonly membership: GroupMembershipService,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
  ) {}

  @Put(':groupId/members/:userId')
  async addMember(
    @Param('groupId', groupIdParam) groupId: string,
    @Param('userId', userIdParam) userId: string,
  ): Promise<MembershipResponse> {
    await this.membership.add(groupId, userId);
    await this.ws.joinUserToRoom(userId, groupRoom(groupId));
    return { groupId, userId, members: await this.membership.membersOf(groupId) };
  }

  @Delete(':groupId/members/:userId')
  async removeMember(
    @Param('groupId', groupIdParam) groupId: string,
    @Param('userId', userIdParam) userId: string,
  ): Promise<MembershipResponse> {
    // The store first, then the rooms: a handshake that read the old membership and joins
    // after this leave is corrected by the check in GroupsModule's connection hook.
    await this.membership.remove(groupId, userId);
    await this.ws.removeUserFromRoom(userId, groupRoom(groupId));
    return { groupId, userId, members: await this.membership.membersOf(groupId) };
  }

  /** `group:message` to every connected member; 202 because delivery is fire-and-forget. */
  @Post(':groupId/messages')
  @HttpCode(HttpStatus.ACCEPTED)
  async sendMessage(
    @Param('groupId', groupIdParam) groupId: string,
    @Body(new ZodValidationPipe(groupMessageBodySchema)) body: { text: string },
  ): Promise<{ groupId: string; members: number }> {
    this.ws.emitToRoom(groupRoom(groupId), GROUP_MESSAGE_EVENT, {
      groupId,
      text: body.text,
      sentAt: new Date().toISOString(),
    });
    return { groupId, members: (await this.membership.membersOf(groupId)).length };
  }
}
