import { Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { RealtimeEventRegistry, WebSocketService } from '@herald/realtime';
import { groupRoom } from './group-events';
import { GroupMembershipService } from './group-membership.service';
import { GroupsController } from './groups.controller';

/**
 * Extensibility demo: an application's own rooms (`group:{id}`) and event
 * (`group:message`) on top of Herald without touching the library. The room resolver
 * runs during the handshake, so a member's socket is in its groups before `authenticated`.
 *
 * Membership is read from a store every process shares, and a removal can race a
 * handshake that read the membership just before it: the socket would join after the
 * removal moved the user's sockets out. So once a socket has joined, its groups are read
 * again and any it lost meanwhile are left (the removal wrote the store before it moved
 * the sockets, so this second read sees it).
 */
@Module({
  controllers: [GroupsController],
  providers: [GroupMembershipService],
  exports: [GroupMembershipService],
})
export class GroupsModule implements OnModuleInit {
  /** Groups the resolver handed out per user, until that socket's connection hook checks them. */
  private readonly resolved = new Map<string, Set<string>>();
  private readonly logger = new Logger('Groups');

  constructor(
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(GroupMembershipService) private readonly membership: GroupMembershipService,
    @Inject(WebSocketService) private readonly ws: WebSocketService,
  ) {}

  onModuleInit(): void {
    this.registry.addRoomResolver(async (user) => {
      let groups: string[];
      try {
        groups = await this.membership.groupsOf(user.userId);
      } catch (error) {
        // Membership unreadable (Redis away): connect without group rooms rather than not at
        // all; the socket gets them on its next connection.
        this.logger.warn({
          msg: 'Group membership unavailable; connecting without group rooms',
          userId: user.userId,
          err: error instanceof Error ? error.message : String(error),
        });
        return [];
      }
      if (groups.length === 0) return groups;
      const pending = this.resolved.get(user.userId) ?? new Set<string>();
      for (const group of groups) pending.add(group);
      this.resolved.set(user.userId, pending);
      return groups.map(groupRoom);
    });
    // Synchronous for a user in no group (most sockets): nothing for the gateway to await.
    this.registry.onConnect((user) => {
      const pending = this.resolved.get(user.userId);
      if (!pending) return;
      this.resolved.delete(user.userId);
      return this.leaveLostGroups(user.userId, pending);
    });
  }

  /** Leaves the rooms of groups the user was removed from while the socket was connecting. */
  private async leaveLostGroups(userId: string, groupIds: Set<string>): Promise<void> {
    for (const groupId of groupIds) {
      if (!(await this.membership.isMember(groupId, userId)))
        await this.ws.removeUserFromRoom(userId, groupRoom(groupId));
    }
  }
}
