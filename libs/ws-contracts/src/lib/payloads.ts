import type { z } from 'zod';
import type { ClientEvent, ServerEvent } from './events';
import type {
  buildCreateNotificationBatchBodySchema,
  buildCreateNotificationBodySchema,
  clientEventSchemas,
  demoLoginBodySchema,
  grantXpBodySchema,
  leaderboardEntrySchema,
  listNotificationsQuerySchema,
  notificationSchema,
  notificationStatusSchema,
  preferencesSchema,
  quietHoursSchema,
  serverEventSchemas,
  updateUserBodySchema,
  tokenClaimsSchema,
} from './schemas';

export type Notification = z.infer<typeof notificationSchema>;
export type LeaderboardEntry = z.infer<typeof leaderboardEntrySchema>;
/** `GET /api/notifications/:id/status`. */
export type NotificationStatus = z.infer<typeof notificationStatusSchema>;
/** A user's channel preferences (`GET /api/preferences`, `preferences:updated`). */
export type Preferences = z.infer<typeof preferencesSchema>;
export type QuietHours = z.infer<typeof quietHoursSchema>;
export type EscalationChannel = 'email' | 'webhook';
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

/**
 * Where one escalation of a notification stands: `pending` (due, or waiting for a retry
 * or the end of quiet hours), `sent`, `failed` (every attempt failed), `skipped` (the
 * user's preferences or a missing address kept it back), `cancelled` (a device received
 * or read the notification first). `at` is the due time while pending, else when it
 * reached its status.
 */
export interface EscalationState {
  channel: EscalationChannel;
  status: 'pending' | 'sent' | 'failed' | 'skipped' | 'cancelled';
  at: string;
}

type ServerSchemas = typeof serverEventSchemas;
type ClientSchemas = typeof clientEventSchemas;

export type AuthenticatedPayload = z.infer<ServerSchemas[typeof ServerEvent.Authenticated]>;
export type ErrorPayload = z.infer<ServerSchemas[typeof ServerEvent.Error]>;
export type NotificationNewPayload = z.infer<ServerSchemas[typeof ServerEvent.NotificationNew]>;
export type NotificationReadPayload = z.infer<ServerSchemas[typeof ServerEvent.NotificationRead]>;
export type NotificationDeletedPayload = z.infer<
  ServerSchemas[typeof ServerEvent.NotificationDeleted]
>;
export type UnreadCountPayload = z.infer<ServerSchemas[typeof ServerEvent.NotificationUnreadCount]>;
export type AchievementUnlockedPayload = z.infer<
  ServerSchemas[typeof ServerEvent.AchievementUnlocked]
>;
export type RankUpdatedPayload = z.infer<ServerSchemas[typeof ServerEvent.RankUpdated]>;
export type XpGainedPayload = z.infer<ServerSchemas[typeof ServerEvent.XpGained]>;
export type LeaderboardUpdatedPayload = z.infer<
  ServerSchemas[typeof ServerEvent.LeaderboardUpdated]
>;

export type PreferencesUpdatedPayload = z.infer<
  ServerSchemas[typeof ServerEvent.PreferencesUpdated]
>;

export type MarkReadPayload = z.infer<ClientSchemas[typeof ClientEvent.MarkRead]>;
export type MarkAllReadPayload = z.infer<ClientSchemas[typeof ClientEvent.MarkAllRead]>;
export type DeleteNotificationPayload = z.infer<ClientSchemas[typeof ClientEvent.Delete]>;
export type AuthRefreshPayload = z.infer<ClientSchemas[typeof ClientEvent.AuthRefresh]>;
export type NotificationReceivedPayload = z.infer<ClientSchemas[typeof ClientEvent.Received]>;

/**
 * Payload of every server → client event, by name. An interface, so an application can
 * add its own events by module augmentation:
 *
 *   declare module '@herald/ws-contracts' {
 *     interface ServerEventPayloads { 'group:message': { groupId: string; text: string } }
 *   }
 */
export interface ServerEventPayloads {
  authenticated: AuthenticatedPayload;
  error: ErrorPayload;
  'notification:new': NotificationNewPayload;
  'notification:read': NotificationReadPayload;
  'notification:deleted': NotificationDeletedPayload;
  'notification:unread_count': UnreadCountPayload;
  'achievement:unlocked': AchievementUnlockedPayload;
  'rank:updated': RankUpdatedPayload;
  'xp:gained': XpGainedPayload;
  'leaderboard:updated': LeaderboardUpdatedPayload;
  'preferences:updated': PreferencesUpdatedPayload;
}

/** What a successful acknowledgement carries for each client event, besides `ok: true`. */
export interface ClientEventResults {
  'notification:mark_read': { notificationId: string; unreadCount: number };
  'notification:mark_all_read': { updated: number; unreadCount: number };
  'notification:delete': { notificationId: string; unreadCount: number };
  'auth:refresh': { userId: string; expiresAt: string | null };
  'notification:received': Record<string, never>;
}

/** Payload of every client → server event, by name (augmentable like the server map). */
export interface ClientEventPayloads {
  'notification:mark_read': MarkReadPayload;
  'notification:mark_all_read': MarkAllReadPayload;
  'notification:delete': DeleteNotificationPayload;
  'auth:refresh': AuthRefreshPayload;
  'notification:received': NotificationReceivedPayload;
}

// ---- HTTP bodies and answers ------------------------------------------------------------

export type CreateNotificationBody = z.input<ReturnType<typeof buildCreateNotificationBodySchema>>;
export type GrantXpBody = z.infer<typeof grantXpBodySchema>;
export type DemoLoginBody = z.infer<typeof demoLoginBodySchema>;
export type ListNotificationsQuery = z.output<typeof listNotificationsQuerySchema>;
export type TokenClaims = z.infer<typeof tokenClaimsSchema>;

export interface ServerEventBody<E extends keyof ServerEventPayloads = keyof ServerEventPayloads> {
  event: E;
  payload: ServerEventPayloads[E];
}

export interface NotificationPage {
  items: Notification[];
  /** Opaque; pass back as `cursor` for the next page. `null` on the last page. */
  nextCursor: string | null;
}

export interface UnreadCountResponse {
  unreadCount: number;
}

export interface PresenceResponse {
  online: boolean;
  sockets: number;
}

export interface DisconnectResponse {
  disconnected: number;
}

export interface DeliveryResponse {
  delivered: boolean;
}

/** One item of `POST /api/realtime/events`: a typed server event to every device of `userId`. */
export interface ServerEventBatchItem<
  E extends keyof ServerEventPayloads = keyof ServerEventPayloads,
> extends ServerEventBody<E> {
  userId: string;
}

/** `POST /api/realtime/events`. */
export interface ServerEventBatchBody {
  events: ServerEventBatchItem[];
}

/** The answer of `POST /api/realtime/events` (202). */
export interface EventBatchResponse {
  /** How many events were emitted: every item of the request. */
  accepted: number;
  /** Per item, in request order: whether its user had a connected socket when it was sent. */
  delivered: boolean[];
}

/** `POST /api/notifications/batch`: each item is a body of `POST /api/notifications`. */
export type CreateNotificationBatchBody = z.input<
  ReturnType<typeof buildCreateNotificationBatchBodySchema>
>;

/** The answer of `POST /api/notifications/batch` (201), one entry per item in request order. */
export interface NotificationBatchResponse {
  /** An item with `userId`: its notification; with `userIds`: its list of notifications. */
  notifications: (Notification | Notification[])[];
}

export interface DemoUser {
  id: string;
  email: string;
  name: string | null;
  role: string;
}

export interface DemoLoginResponse {
  accessToken: string;
  expiresAt: string;
  user: DemoUser;
}

/** One verified escalation webhook, as the demo's local inbox lists it (`GET /api/demo/webhook-inbox`). */
export interface DemoWebhookDelivery {
  /** `webhook-id`: the escalation's id, the same on every retry of it. */
  id: string;
  /** The body's `timestamp`: when Herald sent this attempt (ISO). */
  timestamp: string;
  /** When the inbox verified it (ISO). */
  receivedAt: string;
  type: string;
  notificationId: string;
  title: string;
  userId: string;
}

export interface GrantXpResponse {
  userId: string;
  totalXp: number;
  rank: string;
  rankChanged: boolean;
  achievements: string[];
}

export type DependencyState = 'up' | 'down' | 'disabled';

export interface HealthResponse {
  status: 'ok' | 'degraded' | 'down';
  version: string;
  contractVersion: string;
  uptimeSeconds: number;
  checks: Record<string, { status: DependencyState; detail?: string }>;
}
