import type { PresenceStore } from './presence-store';

/** Presence of one process: exact, and enough when there is no cluster. */
export class InMemoryPresenceStore implements PresenceStore {
  readonly kind = 'memory';
  private readonly socketsByUser = new Map<string, Set<string>>();

  async add(userId: string, socketId: string): Promise<void> {
    let sockets = this.socketsByUser.get(userId);
    if (!sockets) {
      sockets = new Set();
      this.socketsByUser.set(userId, sockets);
    }
    sockets.add(socketId);
  }

  async remove(userId: string, socketId: string): Promise<void> {
    const sockets = this.socketsByUser.get(userId);
    if (!sockets) return;
    sockets.delete(socketId);
    if (sockets.size === 0) this.socketsByUser.delete(userId);
  }

  async countSockets(userId: string): Promise<number> {
    return this.socketsByUser.get(userId)?.size ?? 0;
  }

  /** Number of users with at least one socket (memory use grows with it). */
  get onlineUsers(): number {
    return this.socketsByUser.size;
  }

  async close(): Promise<void> {
    this.socketsByUser.clear();
  }
}
