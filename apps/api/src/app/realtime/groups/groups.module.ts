import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { RealtimeEventRegistry } from '@herald/realtime';
import { groupRoom } from './group-events';
import { GroupMembershipService } from './group-membership.service';
import { GroupsController } from './groups.controller';

/**
 * Extensibility demo: an application's own rooms (`group:{id}`) and event
 * (`group:message`) on top of Herald without touching the library. The room resolver
 * runs during the handshake, so a member's socket is in its groups before `authenticated`.
 */
@Module({
  controllers: [GroupsController],
  providers: [GroupMembershipService],
  exports: [GroupMembershipService],
})
export class GroupsModule implements OnModuleInit {
  constructor(
    @Inject(RealtimeEventRegistry) private readonly registry: RealtimeEventRegistry,
    @Inject(GroupMembershipService) private readonly membership: GroupMembershipService,
  ) {}

  onModuleInit(): void {
    this.registry.addRoomResolver((user) => this.membership.groupsOf(user.userId).map(groupRoom));
  }
}
