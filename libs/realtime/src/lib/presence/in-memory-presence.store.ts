import type { PresenceListPage, PresenceStore } from './presence-store';

/** Presence of one process: exact, and enough when there is no cluster. */
export class InMemoryPresenceStore implements PresenceStore {
  readonly kind = 'memory';
  private readonly socketsByUser = new Map<string, Set<string>>();
  /** The userIds of `socketsByUser`, kept sorted so a page is a binary search and a slice. */
  private readonly sortedUsers: string[] = [];

  async add(userId: string, socketId: string): Promise<void> {
    let sockets = this.socketsByUser.get(userId);
    if (!sockets) {
      sockets = new Set();
      this.socketsByUser.set(userId, sockets);
      this.sortedUsers.splice(this.indexAfter(userId, true), 0, userId);
    }
    sockets.add(socketId);
  }

  async remove(userId: string, socketId: string): Promise<void> {
    const sockets = this.socketsByUser.get(userId);
    if (!sockets) return;
    sockets.delete(socketId);
    if (sockets.size === 0) {
      this.socketsByUser.delete(userId);
      this.sortedUsers.splice(this.indexAfter(userId, true), 1);
    }
  }

  async countSockets(userId: string): Promise<number> {
    return this.socketsByUser.get(userId)?.size ?? 0;
  }

  async countSocketsByUser(userIds: readonly string[]): Promise<Map<string, number>> {
    return new Map(userIds.map((userId) => [userId, this.socketsByUser.get(userId)?.size ?? 0]));
  }

  async listUsers({ limit, after }: { limit: number; after?: string }): Promise<PresenceListPage> {
    const start = after === undefined ? 0 : this.indexAfter(after, false);
    const ids = this.sortedUsers.slice(start, start + limit);
    const users = ids.map((userId) => ({
      userId,
      sockets: this.socketsByUser.get(userId)?.size ?? 0,
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
