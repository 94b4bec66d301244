/**
 * Event names of the wire contract (SPEC §3). Kept as `as const` objects rather than
 * TypeScript enums so that both `ServerEvent.NotificationNew` and the literal
 * `'notification:new'` type-check wherever an event name is expected.
 */
export const ServerEvent = {
  Authenticated: 'authenticated',
  Error: 'error',
  NotificationNew: 'notification:new',
  NotificationRead: 'notification:read',
  NotificationDeleted: 'notification:deleted',
  NotificationUnreadCount: 'notification:unread_count',
  AchievementUnlocked: 'achievement:unlocked',
  RankUpdated: 'rank:updated',
  XpGained: 'xp:gained',
  LeaderboardUpdated: 'leaderboard:updated',
} as const;
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

export const ClientEvent = {
  MarkRead: 'notification:mark_read',
  MarkAllRead: 'notification:mark_all_read',
  Delete: 'notification:delete',
  AuthRefresh: 'auth:refresh',
} as const;
export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];

export const SERVER_EVENT_NAMES: readonly ServerEventName[] = Object.values(ServerEvent);
export const CLIENT_EVENT_NAMES: readonly ClientEventName[] = Object.values(ClientEvent);

export function isServerEventName(name: unknown): name is ServerEventName {
  return typeof name === 'string' && (SERVER_EVENT_NAMES as readonly string[]).includes(name);
}

export function isClientEventName(name: unknown): name is ClientEventName {
  return typeof name === 'string' && (CLIENT_EVENT_NAMES as readonly string[]).includes(name);
}

/** Room every socket of a user joins; the only room a user is put in by default. */
export function userRoom(userId: string): `user:${string}` {
  return `user:${userId}`;
}
