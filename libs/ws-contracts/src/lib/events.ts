/**
 * Event names of the wire contract. Kept as `as const` objects rather than TypeScript
 * enums so that both `ServerEvent.NotificationNew` and the literal `'notification:new'`
 * type-check wherever an event name is expected.
 */
export const ServerEvent = {
  /** The handshake was accepted; always the first event a socket receives. */
  Authenticated: 'authenticated',
  /** Something went wrong outside an acknowledgement, e.g. the token expired while connected. */
  Error: 'error',
  /** A notification was stored for this user. */
  NotificationNew: 'notification:new',
  /** A notification (or, with `all: true`, every notification) was marked read on some device. */
  NotificationRead: 'notification:read',
  /** A notification was deleted on some device. */
  NotificationDeleted: 'notification:deleted',
  /** The user's unread count; sent after connecting and after every change to it. */
  NotificationUnreadCount: 'notification:unread_count',
  /** The user unlocked an achievement. */
  AchievementUnlocked: 'achievement:unlocked',
  /** The user's rank changed. */
  RankUpdated: 'rank:updated',
  /** The user was granted XP. */
  XpGained: 'xp:gained',
  /** The leaderboard changed; carries the top entries. */
  LeaderboardUpdated: 'leaderboard:updated',
  /** The user's channel preferences changed (on any device or through the service API). */
  PreferencesUpdated: 'preferences:updated',
} as const;
export type ServerEventName = (typeof ServerEvent)[keyof typeof ServerEvent];

export const ClientEvent = {
  /** Mark one of the user's notifications read, on every device. */
  MarkRead: 'notification:mark_read',
  /** Mark all of the user's notifications read, on every device. */
  MarkAllRead: 'notification:mark_all_read',
  /** Delete one of the user's notifications, on every device. */
  Delete: 'notification:delete',
  /** Extend the session with a fresh token, without reconnecting. */
  AuthRefresh: 'auth:refresh',
  /** Receipt: these notifications reached a device of the user (ids of others are ignored). */
  Received: 'notification:received',
} as const;
export type ClientEventName = (typeof ClientEvent)[keyof typeof ClientEvent];

export const SERVER_EVENT_NAMES: readonly ServerEventName[] = Object.values(ServerEvent);
export const CLIENT_EVENT_NAMES: readonly ClientEventName[] = Object.values(ClientEvent);

/**
 * The doc comment of every event above, at runtime, for generated documentation (the
 * AsyncAPI document). A test keeps the two word for word the same.
 */
export const EVENT_SUMMARIES = {
  authenticated: 'The handshake was accepted; always the first event a socket receives.',
  error: 'Something went wrong outside an acknowledgement, e.g. the token expired while connected.',
  'notification:new': 'A notification was stored for this user.',
  'notification:read':
    'A notification (or, with `all: true`, every notification) was marked read on some device.',
  'notification:deleted': 'A notification was deleted on some device.',
  'notification:unread_count':
    "The user's unread count; sent after connecting and after every change to it.",
  'achievement:unlocked': 'The user unlocked an achievement.',
  'rank:updated': "The user's rank changed.",
  'xp:gained': 'The user was granted XP.',
  'leaderboard:updated': 'The leaderboard changed; carries the top entries.',
  'preferences:updated':
    "The user's channel preferences changed (on any device or through the service API).",
  'notification:mark_read': "Mark one of the user's notifications read, on every device.",
  'notification:mark_all_read': "Mark all of the user's notifications read, on every device.",
  'notification:delete': "Delete one of the user's notifications, on every device.",
  'auth:refresh': 'Extend the session with a fresh token, without reconnecting.',
  'notification:received':
    'Receipt: these notifications reached a device of the user (ids of others are ignored).',
} as const satisfies Record<ServerEventName | ClientEventName, string>;

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
