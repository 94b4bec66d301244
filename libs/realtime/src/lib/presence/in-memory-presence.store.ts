import type { PresenceListPage, PresenceStore } from './presence-store';

/** Presence of one process: exact, and enough when there is no cluster. */
export class InMemoryPresenceStore implements PresenceStore {
  readonly kind = 'memory';
  /**
   * A user's socket id, or a set of them once they have more than one: most users hold one
   * connection, and a Set per user would be the largest thing their presence keeps.
   */
  private readonly socketsByUser = new Map<string, string | Set<string>>();
  /** The userIds of `socketsByUser`, kept sorted so a page is a binary search and a slice. */
  private readonly sortedUsers: string[] = [];

  async add(userId: string, socketId: string): Promise<void> {
    const sockets = this.socketsByUser.get(userId);
    if (sockets === undefined) {
      this.socketsByUser.set(userId, socketId);
      this.sortedUsers.splice(this.indexAfter(userId, true), 0, userId);
    } else if (typeof sockets === 'string') {
      if (sockets !== socketId) this.socketsByUser.set(userId, new Set([sockets, socketId]));
    } else {
      sockets.add(socketId);
    }
  }

  async remove(userId: string, socketId: string): Promise<void> {
    const sockets = this.socketsByUser.get(userId);
    if (sockets === undefined) return;
    if (typeof sockets === 'string') {
      if (sockets !== socketId) return;
    } else {
      sockets.delete(socketId);
      if (sockets.size === 1)
        this.socketsByUser.set(userId, sockets.values().next().value as string);
      if (sockets.size > 0) return;
    }
    this.socketsByUser.delete(userId);
    this.sortedUsers.splice(this.indexAfter(userId, true), 1);
  }

  async countSockets(userId: string): Promise<number> {
    return this.socketCount(userId);
  }

  async countSocketsByUser(userIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(userIds.map((userId) => [userId, this.socketCount(userId)]));
  }

  async listUsers({ limit, after }: { limit: number; after?: string }): Promise<PresenceListPage> {
    const start = after === undefined ? 0 : this.indexAfter(after, false);
    const ids = this.sortedUsers.slice(start, start + limit);
    const users = ids.map((userId) => ({
      userId,
      sockets: this.socketCount(userId),
    }));
    const more = start + limit < this.sortedUsers.length;
    return more ? { users, next: ids[ids.length - 1] } : { users };
  }

  /** Number of users with at least one socket (memory use grows with it). */
  get onlineUsers(): number {
    return this.socketsByUser.size;
  }

  async close(): Promise<void> {
    this.socketsByUser.clear();
    this.sortedUsers.length = 0;
  }

  private socketCount(userId: string): number {
    const sockets = this.socketsByUser.get(userId);
    if (sockets === undefined) return 0;
    return typeof sockets === 'string' ? 1 : sockets.size;
  }

  /**
   * Binary search in `sortedUsers`: the index of the first id >= `userId` (`inclusive`) or
   * > `userId`. Plain `<` compares code units, like Redis's lexicographic order.
   */
  private indexAfter(userId: string, inclusive: boolean): number {
    let low = 0;
    let high = this.sortedUsers.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const id = this.sortedUsers[mid];
      if (id < userId || (!inclusive && id === userId)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
