import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  InMemoryGroupMembershipStore,
  RedisGroupMembershipStore,
  type GroupMembershipStore,
} from './group-membership.store';

/**
 * Who belongs to which group: the server's decision, never the client's. Kept where every
 * process sees it (Redis when REDIS_URL is set, memory for one process); a real app would
 * read its own database here, with the same rule.
 */
@Injectable()
export class GroupMembershipService implements OnApplicationShutdown {
  private readonly store: GroupMembershipStore;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.store = config.redis
      ? RedisGroupMembershipStore.connect(
          config.redis.url,
          config.redis.keyPrefix,
          config.redis.commandTimeoutMs,
        )
      : new InMemoryGroupMembershipStore();
  }

  /** Adds the user; false when they were already a member. */
  add(groupId: string, userId: string): Promise<boolean> {
    return this.store.add(groupId, userId);
  }

  /** Removes the user; false when they were not a member. */
  remove(groupId: string, userId: string): Promise<boolean> {
    return this.store.remove(groupId, userId);
  }

  isMember(groupId: string, userId: string): Promise<boolean> {
    return this.store.isMember(groupId, userId);
  }

  membersOf(groupId: string): Promise<string[]> {
    return this.store.membersOf(groupId);
  }

  groupsOf(userId: string): Promise<string[]> {
    return this.store.groupsOf(userId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
