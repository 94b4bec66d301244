import { z } from 'zod';
import { ClientEvent, ServerEvent } from './events';

/**
 * Runtime schemas: the single source of both validation (server) and types (everyone).
 * Types in payloads.ts are inferred from these, so they cannot drift apart.
 */

export const LIMITS = {
  userIdMaxLength: 255,
  titleMaxLength: 200,
  messageMaxLength: 5_000,
  typeMaxLength: 64,
  sourceMaxLength: 64,
  /** Default cap on recipients of one `POST /api/notifications` (MAX_RECIPIENTS). */
  maxRecipients: 1_000,
  /** Events one `POST /api/realtime/events` may carry. */
  maxBatchEvents: 1_000,
  /**
   * Sends one `POST /api/notifications/batch` may carry (their recipients together stay
   * within MAX_RECIPIENTS).
   */
  maxBatchNotifications: 1_000,
  /** Default page size and cap of `GET /api/notifications`. */
  defaultPageSize: 20,
  maxPageSize: 100,
  /** Receipts one `notification:received` may carry; the client library batches below it. */
  maxReceiptIds: 100,
  /** Default size cap of `data`, serialized as JSON (NOTIFICATION_DATA_MAX_BYTES). */
  dataMaxBytes: 16_384,
  /** Largest single XP grant; guards against overflow and nonsense. */
  maxXpAmount: 1_000_000,
  /**
   * Deepest nesting of free-form JSON (`data`). The database driver and the Socket.IO
   * encoder both recurse, so a 5,000-level document under the body limit overflowed the
   * stack (500) instead of being refused (400).
   */
  jsonMaxDepth: 32,
} as const;

/** Rejects strings that are only whitespace or hold control characters. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    // eslint-disable-next-line no-control-regex
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), {
      message: 'must not contain control characters',
    });

export const userIdSchema = text(LIMITS.userIdMaxLength);
/** Accepts any 8-4-4-4-12 hex id, so a malformed id is a 400 rather than a database error. */
export const notificationIdSchema = z.guid('must be a UUID');
export const isoDateSchema = z.iso.datetime({ offset: true });
/** True when `root` nests objects/arrays at most `max` levels deep (iterative: no recursion). */
export function isWithinJsonDepth(root: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[root, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop() as [unknown, number];
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) return false;
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
  return true;
}

const jsonObjectSchema = z
  .record(z.string(), z.unknown())
  .refine((value) => isWithinJsonDepth(value, LIMITS.jsonMaxDepth), {
    message: `must not nest deeper than ${LIMITS.jsonMaxDepth} levels`,
  });

// ---- records -------------------------------------------------------------------------

export const notificationSchema = z.object({
  id: notificationIdSchema,
  userId: userIdSchema,
  type: z.string(),
  title: z.string(),
  message: z.string(),
  data: jsonObjectSchema.nullable(),
  createdAt: isoDateSchema,
  /** The first receipt (`notification:received`) from any device of the user, or null. */
  deliveredAt: isoDateSchema.nullable(),
  readAt: isoDateSchema.nullable(),
  /** When the notification leaves the inbox on its own, or null for never. */
  expiresAt: isoDateSchema.nullable(),
});

/**
 * `GET /api/notifications/:id/status`: where one notification stands. `escalations` lists
 * every channel it was escalated to (empty when none).
 */
export const notificationStatusSchema = z.object({
  id: notificationIdSchema,
  userId: userIdSchema,
  createdAt: isoDateSchema,
  deliveredAt: isoDateSchema.nullable(),
  readAt: isoDateSchema.nullable(),
  escalations: z.array(
    z.object({
      channel: z.string(),
      status: z.string(),
      at: isoDateSchema,
    }),
  ),
});

export const leaderboardEntrySchema = z.object({
  userId: userIdSchema,
  name: z.string().nullable().optional(),
  xp: z.number().nonnegative(),
  rank: z.string(),
  position: z.number().int().positive(),
});

// ---- channels and preferences ---------------------------------------------------------

/** The channels a notification can be escalated to when no device received it in time. */
export const ESCALATION_CHANNELS = ['email', 'webhook'] as const;

/** True for a time zone name the runtime's Intl knows (IANA, e.g. `Europe/Berlin`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' });

/** A wall-clock time `HH:MM` (24 h). */
export const clockTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM between 00:00 and 23:59');

/**
 * Hours in which escalations wait (until `end`, in `timezone`). `start` after `end` spans
 * midnight (22:00–07:00). The inbox and the live push are never held back.
 */
export const quietHoursSchema = z
  .strictObject({ start: clockTimeSchema, end: clockTimeSchema, timezone: timeZoneSchema })
  .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] });

const channelSwitchesSchema = z.strictObject({ email: z.boolean(), webhook: z.boolean() });

/**
 * A user's channel preferences. `channels` switches a channel off for everything; `types`
 * switches it off (or on again) for one notification type and wins over `channels`.
 */
export const preferencesSchema = z.strictObject({
  channels: channelSwitchesSchema,
  types: z
    .record(text(LIMITS.typeMaxLength), channelSwitchesSchema.partial())
    .refine((types) => Object.keys(types).length <= 100, {
      message: 'must name at most 100 types',
    }),
  quietHours: quietHoursSchema.nullable(),
});

/** Every channel on, no quiet hours: what a user who never chose anything has. */
export const DEFAULT_PREFERENCES = {
  channels: { email: true, webhook: true },
  types: {},
  quietHours: null,
} as const satisfies z.infer<typeof preferencesSchema>;

/** `PUT /api/users/:userId`: what Herald knows of a user (who may never have connected). */
export const updateUserBodySchema = z
  .strictObject({
    email: z.email('must be an email address').max(254).nullable().optional(),
    timezone: timeZoneSchema.nullable().optional(),
  })
  .refine((b) => b.email !== undefined || b.timezone !== undefined, {
    message: 'must set email or timezone',
  });

/** Longest `escalateAfterSeconds` of one notification: a week. */
export const MAX_ESCALATE_AFTER_SECONDS = 7 * 24 * 3600;

// ---- server → client payloads ----------------------------------------------------------

export const serverEventSchemas = {
  [ServerEvent.Authenticated]: z.object({
    success: z.literal(true),
    userId: userIdSchema,
    email: z.string().nullable(),
  }),
  [ServerEvent.Error]: z.object({
    message: z.string(),
    code: z.string().optional(),
  }),
  [ServerEvent.NotificationNew]: z.object({
    notification: notificationSchema,
    timestamp: isoDateSchema,
  }),
  [ServerEvent.NotificationRead]: z.object({
    /** `null` when every notification of the user was marked read at once. */
    notificationId: notificationIdSchema.nullable(),
    success: z.boolean(),
    all: z.boolean().optional(),
  }),
  [ServerEvent.NotificationDeleted]: z.object({
    notificationId: notificationIdSchema,
  }),
  [ServerEvent.NotificationUnreadCount]: z.object({
    unreadCount: z.number().int().nonnegative(),
  }),
  [ServerEvent.AchievementUnlocked]: z.object({
    achievementId: text(64),
    title: text(LIMITS.titleMaxLength),
    description: z.string().max(LIMITS.messageMaxLength).optional(),
    icon: z.string().max(256).optional(),
  }),
  [ServerEvent.RankUpdated]: z.object({
    newRank: text(64),
    oldRank: text(64),
    /** XP needed to reach the rank after `newRank`, when there is one. */
    xpRequired: z.number().nonnegative().optional(),
  }),
  [ServerEvent.XpGained]: z.object({
    amount: z.number().positive().finite(),
    source: text(LIMITS.sourceMaxLength),
    totalXp: z.number().nonnegative().finite(),
  }),
  [ServerEvent.LeaderboardUpdated]: z.object({
    leaderboard: z.array(leaderboardEntrySchema).max(1_000),
  }),
  [ServerEvent.PreferencesUpdated]: preferencesSchema,
} as const;

/**
 * The schema of a server event by name, or undefined for a name outside the contract.
 * Own keys only: untrusted names such as "valueOf" or "__proto__" must never resolve to
 * Object.prototype members.
 */
export function serverEventSchemaFor(event: string): z.ZodType | undefined {
  return Object.hasOwn(serverEventSchemas, event)
    ? (serverEventSchemas as Record<string, z.ZodType>)[event]
    : undefined;
}

// ---- client → server payloads ----------------------------------------------------------

export const clientEventSchemas = {
  [ClientEvent.MarkRead]: z.strictObject({ notificationId: notificationIdSchema }),
  [ClientEvent.MarkAllRead]: z.strictObject({}),
  [ClientEvent.Delete]: z.strictObject({ notificationId: notificationIdSchema }),
  [ClientEvent.AuthRefresh]: z.strictObject({ token: z.string().min(1).max(8_192) }),
  [ClientEvent.Received]: z.strictObject({
    notificationIds: z
      .array(notificationIdSchema)
      .min(1, 'must name at least one notification')
      .max(LIMITS.maxReceiptIds, `must name at most ${LIMITS.maxReceiptIds} notifications`),
  }),
} as const;

// ---- HTTP bodies (service and user API) ------------------------------------------------

export interface CreateNotificationLimits {
  maxRecipients: number;
}

/**
 * `POST /api/notifications`. The recipient cap is configuration (MAX_RECIPIENTS), so the
 * schema is built from it; `createNotificationBodySchema` is the default-limit instance.
 */
export function buildCreateNotificationBodySchema(
  limits: CreateNotificationLimits = { maxRecipients: LIMITS.maxRecipients },
) {
  return z
    .strictObject({
      userId: userIdSchema.optional(),
      userIds: z
        .array(userIdSchema)
        .min(1, 'must name at least one user')
        .max(limits.maxRecipients, `must name at most ${limits.maxRecipients} users`)
        .optional(),
      title: text(LIMITS.titleMaxLength),
      message: text(LIMITS.messageMaxLength),
      type: text(LIMITS.typeMaxLength).optional(),
      data: jsonObjectSchema.optional(),
      /** When the notification leaves every inbox on its own; must be in the future. */
      expiresAt: isoDateSchema.optional(),
      /** `false`: never escalate this notification to e-mail or webhook. */
      escalate: z.boolean().optional(),
      /** Seconds after which it escalates if no device received it (ESCALATION_DELAY_SECONDS). */
      escalateAfterSeconds: z
        .number()
        .finite()
        .min(0, 'must be 0 or more')
        .max(MAX_ESCALATE_AFTER_SECONDS, `must be at most ${MAX_ESCALATE_AFTER_SECONDS}`)
        .optional(),
    })
    .refine((b) => (b.userId === undefined) !== (b.userIds === undefined), {
      message: 'exactly one of userId or userIds is required',
      path: ['userId'],
    })
    .refine((b) => b.expiresAt === undefined || Date.parse(b.expiresAt) > Date.now(), {
      message: 'must be in the future',
      path: ['expiresAt'],
    })
    .refine((b) => !(b.escalate === false && b.escalateAfterSeconds !== undefined), {
      message: 'escalateAfterSeconds makes no sense with escalate: false',
      path: ['escalateAfterSeconds'],
    });
}
export const createNotificationBodySchema = buildCreateNotificationBodySchema();

/** The event is in the contract and the payload is valid for it (issues under `payload`). */
function checkServerEvent(body: { event: string; payload: unknown }, ctx: z.RefinementCtx): void {
  const schema = serverEventSchemaFor(body.event);
  if (!schema) {
    ctx.addIssue({ code: 'custom', path: ['event'], message: `unknown event "${body.event}"` });
    return;
  }
  const result = schema.safeParse(body.payload);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ ...issue, path: ['payload', ...issue.path] } as never);
    }
  }
}

/** `POST /api/realtime/users/:userId/events` and `POST /api/realtime/broadcast`. */
export const serverEventBodySchema = z
  .strictObject({
    event: z.string().min(1),
    payload: z.unknown(),
  })
  .superRefine(checkServerEvent);

/** One item of `POST /api/realtime/events`: the single-user endpoint's body and its user. */
export const serverEventBatchItemSchema = z
  .strictObject({
    userId: userIdSchema,
    event: z.string().min(1),
    payload: z.unknown(),
  })
  .superRefine(checkServerEvent);

/** `POST /api/realtime/events`: 1 to LIMITS.maxBatchEvents typed events, each to one user. */
export const serverEventBatchBodySchema = z.strictObject({
  events: z
    .array(serverEventBatchItemSchema)
    .min(1, 'must hold at least one event')
    .max(LIMITS.maxBatchEvents, `must hold at most ${LIMITS.maxBatchEvents} events`),
});

/**
 * `POST /api/notifications/batch`: 1 to LIMITS.maxBatchNotifications sends, each the body
 * of `POST /api/notifications`, naming at most `maxRecipients` recipients in all.
 */
export function buildCreateNotificationBatchBodySchema(
  limits: CreateNotificationLimits = { maxRecipients: LIMITS.maxRecipients },
) {
  return z
    .strictObject({
      notifications: z
        .array(buildCreateNotificationBodySchema(limits))
        .min(1, 'must hold at least one notification')
        .max(
          LIMITS.maxBatchNotifications,
          `must hold at most ${LIMITS.maxBatchNotifications} notifications`,
        ),
    })
    .refine((b) => recipientsOf(b.notifications) <= limits.maxRecipients, {
      message: `must name at most ${limits.maxRecipients} recipients in all`,
      path: ['notifications'],
    });
}

/** Recipients a list of sends names (each `userId` counts one, each `userIds` its length). */
export function recipientsOf(sends: readonly { userIds?: readonly unknown[] }[]): number {
  return sends.reduce((total, send) => total + (send.userIds ? send.userIds.length : 1), 0);
}

export const grantXpBodySchema = z.strictObject({
  userId: userIdSchema,
  amount: z.number().positive('must be positive').finite().max(LIMITS.maxXpAmount),
  source: text(LIMITS.sourceMaxLength),
});

export const demoLoginBodySchema = z.strictObject({
  userId: userIdSchema.optional(),
  email: z.email('must be an email address').max(254),
  name: text(100).optional(),
});

export const listNotificationsQuerySchema = z.object({
  unread: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  limit: z.coerce.number().int().min(1).max(LIMITS.maxPageSize).default(LIMITS.defaultPageSize),
  cursor: z.string().max(200).optional(),
});

/** Claims Herald reads from a verified JWT. */
export const tokenClaimsSchema = z.object({
  sub: z.string().min(1, 'sub must be a non-empty string').max(LIMITS.userIdMaxLength),
  email: z.string().optional(),
  role: z.string().optional(),
  exp: z.number().optional(),
});
