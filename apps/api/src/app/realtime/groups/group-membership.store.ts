import { Redis } from 'ioredis';

/**
 * Where group membership lives. Every process of a cluster must read the same answer, or a
 * member removed through one process keeps receiving the group's messages on another (and
 * rejoins the room on its next connection there).
 */
export interface GroupMembershipStore {
  /** Adds the user; false when they were already a member. */
  add(groupId: string, userId: string): Promise<boolean>;
  /** Removes the user; false when they were not a member. */
  remove(groupId: string, userId: string): Promise<boolean>;
  isMember(groupId: string, userId: string): Promise<boolean>;
  membersOf(groupId: string): Promise<string[]>;
  groupsOf(userId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** One process (no REDIS_URL): two indexes in memory. */
export class InMemoryGroupMembershipStore implements GroupMembershipStore {
  private readonly members = new Map<string, Set<string>>();
  private readonly groups = new Map<string, Set<string>>();

  async add(groupId: string, userId: string): Promise<boolean> {
    if (this.members.get(groupId)?.has(userId)) return false;
    addTo(this.members, groupId, userId);
    addTo(this.groups, userId, groupId);
    return true;
  }

  async remove(groupId: string, userId: string): Promise<boolean> {
    if (!this.members.get(groupId)?.has(userId)) return false;
    removeFrom(this.members, groupId, userId);
    removeFrom(this.groups, userId, groupId);
    return true;
  }

  async isMember(groupId: string, userId: string): Promise<boolean> {
    return this.members.get(groupId)?.has(userId) ?? false;
  }

  async membersOf(groupId: string): Promise<string[]> {
    return [...(this.members.get(groupId) ?? [])].sort();
  }

  async groupsOf(userId: string): Promise<string[]> {
    return [...(this.groups.get(userId) ?? [])].sort();
  }

  async close(): Promise<void> {
    this.members.clear();
    this.groups.clear();
  }
}

/**
 * A cluster (REDIS_URL set): a set of members per group and a set of groups per user,
 * under REDIS_KEY_PREFIX, written together in one transaction.
 */
export class RedisGroupMembershipStore implements GroupMembershipStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  static connect(url: string, keyPrefix: string, commandTimeoutMs: number) {
    const redis = new Redis(url, {
      connectionName: `${keyPrefix}:groups`,
      commandTimeout: commandTimeoutMs,
      maxRetriesPerRequest: 1,
      lazyConnect: false,
    });
    // Errors surface on the commands (a 500/503 for that request); the client reconnects.
    redis.on('error', () => undefined);
    return new RedisGroupMembershipStore(redis, keyPrefix);
  }

  async add(groupId: string, userId: string): Promise<boolean> {
    const results = await this.redis
      .multi()
      .sadd(this.membersKey(groupId), userId)
      .sadd(this.groupsKey(userId), groupId)
      .exec();
    return Number(results?.[0]?.[1] ?? 0) === 1;
  }

  async remove(groupId: string, userId: string): Promise<boolean> {
    const results = await this.redis
      .multi()
      .srem(this.membersKey(groupId), userId)
      .srem(this.groupsKey(userId), groupId)
      .exec();
    return Number(results?.[0]?.[1] ?? 0) === 1;
  }

  async isMember(groupId: string, userId: string): Promise<boolean> {
    return (await this.redis.sismember(this.membersKey(groupId), userId)) === 1;
  }

  async membersOf(groupId: string): Promise<string[]> {
    return (await this.redis.smembers(this.membersKey(groupId))).sort();
  }

  async groupsOf(userId: string): Promise<string[]> {
    return (await this.redis.smembers(this.groupsKey(userId))).sort();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private membersKey(groupId: string): string {
    return `${this.keyPrefix}:groups:members:${groupId}`;
  }

  private groupsKey(userId: string): string {
    return `${this.keyPrefix}:groups:of:${userId}`;
  }
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let values = index.get(key);
  if (!values) index.set(key, (values = new Set()));
  values.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const values = index.get(key);
  values?.delete(value);
  if (values?.size === 0) index.delete(key);
}
