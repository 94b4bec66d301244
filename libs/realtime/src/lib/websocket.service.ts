import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ServerEvent,
  userRoom,
  type AchievementUnlockedPayload,
  type LeaderboardEntry,
  type Notification,
  type RankUpdatedPayload,
  type ServerEventPayloads,
  type XpGainedPayload,
} from '@herald/ws-contracts';
import {
  CLUSTER_BACKEND,
  SingleProcessBackend,
  type ClusterBackend,
} from './cluster/cluster-backend';
import {
  installClusterDisconnector,
  type ClusterDisconnectOutcome,
} from './cluster/cluster-disconnect';
import {
  DEFAULT_PRESENCE_PAGE_SIZE,
  decodePresenceCursor,
  encodePresenceCursor,
  MAX_PRESENCE_PAGE_SIZE,
  type ConnectedUsersPage,
} from './presence/presence-list';
import { SocketServerRef } from './gateway/socket-server.ref';
import type { RawEmitter } from './gateway/socket-types';
import { RealtimeStats } from './realtime-stats';

/** The userId of a presence cursor; a RangeError for one this API did not hand out. */
function decodeCursorOrThrow(cursor: string): string {
  const userId = decodePresenceCursor(cursor);
  if (userId === undefined) throw new RangeError('cursor is not a cursor of the presence list');
  return userId;
}

/** The prefix of `userRoom(id)`. */
const USER_ROOM_PREFIX = userRoom('');

/**
 * The in-process API: any Nest module injects it to push typed events to users.
 * Every event name and payload is checked against `ServerEventPayloads` at compile time;
 * an application extends that map by module augmentation to add its own events.
 *
 * Emits go through the Socket.IO adapter, so with the cluster backend they reach the
 * user's sockets on every process; presence queries are answered by the PresenceStore.
 */
@Injectable()
export class WebSocketService {
  private readonly logger = new Logger('Realtime');

  constructor(
    @Inject(SocketServerRef) private readonly serverRef: SocketServerRef,
    @Inject(CLUSTER_BACKEND) private readonly backend: ClusterBackend,
    @Inject(RealtimeStats) private readonly stats: RealtimeStats,
  ) {}

  emitToUser<E extends keyof ServerEventPayloads>(
    userId: string,
    event: E,
    payload: ServerEventPayloads[E],
  ): void {
    this.emitTo([userRoom(userId)], event, payload);
  }

  emitToUsers<E extends keyof ServerEventPayloads>(
    userIds: readonly string[],
    event: E,
    payload: ServerEventPayloads[E],
  ): void {
    // One emit to the union of rooms: a socket in several of them still gets it once.
    this.emitTo([...new Set(userIds)].map(userRoom), event, payload);
  }

  /** To every socket in a room the server put it in (e.g. `group:{id}`). */
  emitToRoom<E extends keyof ServerEventPayloads>(
    room: string,
    event: E,
    payload: ServerEventPayloads[E],
  ): void {
    this.emitTo([room], event, payload);
  }

  emitToSocket<E extends keyof ServerEventPayloads>(
    socketId: string,
    event: E,
    payload: ServerEventPayloads[E],
  ): void {
    if (!(this.backend instanceof SingleProcessBackend)) {
      this.emitTo([socketId], event, payload);
      return;
    }
    // One process: the socket is here or nowhere, and no packet is kept for connection state
    // recovery, so its own emit does what the emit to its room did, without the broadcast
    // operator and the pre-encoded frame of a broadcast (this is every socket's unread count).
    const server = this.requireServer(event);
    if (!server) return;
    const socket = server.sockets.sockets.get(socketId);
    if (socket) (socket as unknown as RawEmitter).emit(event, payload);
    this.stats.recordEmit(event);
  }

  /** To every connected (and therefore authenticated) socket. */
  broadcast<E extends keyof ServerEventPayloads>(event: E, payload: ServerEventPayloads[E]): void {
    const server = this.requireServer(event);
    if (!server) return;
    (server as unknown as RawEmitter).emit(event, payload);
    this.stats.recordEmit(event);
  }

  async isUserConnected(userId: string): Promise<boolean> {
    return (await this.getUserSocketCount(userId)) > 0;
  }

  async getUserSocketCount(userId: string): Promise<number> {
    return this.backend.presence.countSockets(userId);
  }

  /**
   * Which of `userIds` have a connected socket, across the cluster, in one presence lookup
   * (one Redis round trip however many users): keyed by userId, each user asked for present.
   */
  async areUsersConnected(userIds: readonly string[]): Promise<Map<string, boolean>> {
    const counts = await this.backend.presence.countSocketsByUser([...new Set(userIds)]);
    return new Map([...counts].map(([userId, sockets]) => [userId, sockets > 0]));
  }

  /**
   * One page of the connected users across the cluster, in userId order, each with its
   * socket count: keyset-paged, so every page costs the same however many users there are.
   * Pass the page's `nextCursor` back as `cursor` for the next one (null: the last page).
   *
   *   let cursor: string | undefined;
   *   do {
   *     const page = await ws.getConnectedUsers({ limit: 500, cursor });
   *     for (const { userId, sockets } of page.users) …
   *     cursor = page.nextCursor ?? undefined;
   *   } while (cursor);
   *
   * Fails while the cluster's presence (Redis) is unreachable rather than answer for this
   * process alone.
   */
  async getConnectedUsers(
    options: { limit?: number; cursor?: string } = {},
  ): Promise<ConnectedUsersPage> {
    const limit = options.limit ?? DEFAULT_PRESENCE_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PRESENCE_PAGE_SIZE)
      throw new RangeError(`limit must be a whole number from 1 to ${MAX_PRESENCE_PAGE_SIZE}`);
    const after = options.cursor === undefined ? undefined : decodeCursorOrThrow(options.cursor);
    return this.getConnectedUsersAfter(limit, after);
  }

  /** `getConnectedUsers` with the cursor already decoded (the HTTP endpoint validated it). */
  async getConnectedUsersAfter(limit: number, after?: string): Promise<ConnectedUsersPage> {
    const page = await this.backend.presence.listUsers({ limit, after });
    return {
      users: page.users,
      nextCursor: page.next === undefined ? null : encodePresenceCursor(page.next),
    };
  }

  /** Closes every socket of the user (every process); answers how many were confirmed closed. */
  async disconnectUser(userId: string): Promise<number> {
    return (await this.disconnectUserEverywhere(userId)).disconnected;
  }

  /**
   * Closes the user's sockets on this process at once, then asks the other processes and
   * reports who confirmed within a short timeout. A frozen or unreachable process never
   * keeps the rest from being disconnected; it acts on the request when it reaches it.
   */
  async disconnectUserEverywhere(userId: string): Promise<ClusterDisconnectOutcome> {
    const server = this.serverRef.server;
    if (!server)
      return { disconnected: 0, disconnectedHere: 0, peersConfirmed: 0, peersUnreachable: 0 };
    return installClusterDisconnector(server).disconnectUser(userId);
  }

  /**
   * Puts every connected socket of the user in `room` (every process). Server-side only:
   * clients cannot join rooms. Sockets connecting later join through a room resolver.
   */
  async joinUserToRoom(userId: string, room: string): Promise<void> {
    this.serverRef.server?.in(userRoom(userId)).socketsJoin(room);
  }

  async removeUserFromRoom(userId: string, room: string): Promise<void> {
    this.serverRef.server?.in(userRoom(userId)).socketsLeave(room);
  }

  // ---- named helpers, one per server event ----------------------------------------------

  emitNotificationToUser(userId: string, notification: Notification): void {
    this.emitToUser(userId, ServerEvent.NotificationNew, {
      notification,
      timestamp: new Date().toISOString(),
    });
    this.recordDelivery(notification);
  }

  /** Each notification to its own recipient (`notification.userId`). */
  emitNotificationToUsers(notifications: readonly Notification[]): void {
    const timestamp = new Date().toISOString();
    for (const notification of notifications) {
      this.emitToUser(notification.userId, ServerEvent.NotificationNew, {
        notification,
        timestamp,
      });
      this.recordDelivery(notification);
    }
  }

  emitUnreadCount(userId: string, unreadCount: number): void {
    this.emitToUser(userId, ServerEvent.NotificationUnreadCount, { unreadCount });
  }

  emitAchievementUnlocked(userId: string, payload: AchievementUnlockedPayload): void {
    this.emitToUser(userId, ServerEvent.AchievementUnlocked, payload);
  }

  emitXpGained(userId: string, payload: XpGainedPayload): void {
    this.emitToUser(userId, ServerEvent.XpGained, payload);
  }

  emitRankUpdated(userId: string, payload: RankUpdatedPayload): void {
    this.emitToUser(userId, ServerEvent.RankUpdated, payload);
  }

  broadcastLeaderboardUpdate(leaderboard: LeaderboardEntry[]): void {
    this.broadcast(ServerEvent.LeaderboardUpdated, { leaderboard });
  }

  // ---- internals -------------------------------------------------------------------------

  /** Sockets connected to this process, for health and metrics. */
  get localConnections(): number {
    return this.serverRef.localConnections;
  }

  /** Distinct users with a socket on this process (their `user:{id}` rooms), for metrics. */
  get localUsers(): number {
    let users = 0;
    for (const room of this.serverRef.server?.of('/').adapter.rooms.keys() ?? []) {
      if (room.startsWith(USER_ROOM_PREFIX)) users++;
    }
    return users;
  }

  get adapterName(): string {
    return this.backend.adapterName;
  }

  private emitTo(rooms: string[], event: string, payload: unknown): void {
    if (rooms.length === 0) return;
    const server = this.requireServer(event);
    if (!server) return;
    (server.to(rooms) as unknown as RawEmitter).emit(event, payload);
    this.stats.recordEmit(event);
  }

  /** Stored-to-pushed time; `createdAt` comes from the database clock. */
  private recordDelivery(notification: Notification): void {
    const createdAt = Date.parse(notification.createdAt);
    if (Number.isFinite(createdAt)) this.stats.recordDelivery(Math.max(0, Date.now() - createdAt));
  }

  private requireServer(event: string) {
    const server = this.serverRef.server;
    if (!server) {
      // Before the app listens nobody can be connected: nothing is lost.
      this.logger.warn({
        msg: 'Event emitted before the WebSocket server started; dropped',
        event,
      });
    }
    return server;
  }
}
