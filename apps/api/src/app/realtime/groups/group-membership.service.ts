import { Injectable } from '@nestjs/common';

/**
 * Who belongs to which group: the server's decision, never the client's. In memory for
 * the demo; a real app would read its own database here.
 */
@Injectable()
export class GroupMembershipService {
  private readonly members = new Map<string, Set<string>>();

  /** Adds the user; false when they were already a member. */
  add(groupId: string, userId: string): boolean {
    let group = this.members.get(groupId);
    if (!group) {
      group = new Set();
      this.members.set(groupId, group);
    }
    if (group.has(userId)) return false;
    group.add(userId);
    return true;
  }

  /** Removes the user; false when they were not a member. */
  remove(groupId: string, userId: string): boolean {
    const group = this.members.get(groupId);
    if (!group?.delete(userId)) return false;
    if (group.size === 0) this.members.delete(groupId);
    return true;
  }

  membersOf(groupId: string): string[] {
    return [...(this.members.get(groupId) ?? [])];
  }

  groupsOf(userId: string): string[] {
    return [...this.members].filter(([, users]) => users.has(userId)).map(([groupId]) => groupId);
  }
}
