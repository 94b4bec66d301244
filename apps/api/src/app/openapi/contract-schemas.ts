import {
  ErrorCode,
  buildCreateNotificationBatchBodySchema,
  buildCreateNotificationBodySchema,
  demoLoginBodySchema,
  grantXpBodySchema,
  leaderboardEntrySchema,
  notificationSchema,
  notificationStatusSchema,
  preferencesSchema,
  serverEventBatchBodySchema,
  serverEventBodySchema,
  updateUserBodySchema,
  serverEventSchemas,
} from '@herald/ws-contracts';
import { z } from 'zod';

/**
 * The OpenAPI components, generated from the contract library's zod schemas (the same
 * ones the handlers validate with), so the document cannot drift from the code. Answers
 * the contract declares only as TypeScript interfaces are written as zod here once.
 */
export function contractSchemas(maxRecipients: number) {
  const demoUser = z.object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.string(),
  });
  const leaderboard = serverEventSchemas['leaderboard:updated'];
  const schemas = {
    Notification: notificationSchema,
    NotificationPage: z.object({
      items: z.array(notificationSchema),
      nextCursor: z
        .string()
        .nullable()
        .describe('Opaque; pass back as `cursor`. null on the last page.'),
    }),
    UnreadCount: z.object({ unreadCount: z.number().int().nonnegative() }),
    ReadResult: z.object({ notificationId: z.guid(), unreadCount: z.number().int().nonnegative() }),
    ReadAllResult: z.object({
      updated: z.number().int().nonnegative(),
      unreadCount: z.number().int().nonnegative(),
    }),
    CreateNotificationBody: buildCreateNotificationBodySchema({ maxRecipients }),
    NotificationList: z.array(notificationSchema),
    CreateNotificationBatchBody: buildCreateNotificationBatchBodySchema({ maxRecipients }),
    NotificationBatch: z.object({
      notifications: z
        .array(z.union([notificationSchema, z.array(notificationSchema)]))
        .describe(
          'One entry per item, in request order: its notification for `userId`, its list for `userIds`',
        ),
    }),
    NotificationStatus: notificationStatusSchema,
    GrantXpBody: grantXpBodySchema,
    GrantXpResponse: z.object({
      userId: z.string(),
      totalXp: z.number(),
      rank: z.string(),
      rankChanged: z.boolean(),
      achievements: z.array(z.string()).describe('Ids of the achievements this grant unlocked'),
    }),
    LeaderboardEntry: leaderboardEntrySchema,
    Leaderboard: leaderboard,
    DemoLoginBody: demoLoginBodySchema,
    DemoUser: demoUser,
    DemoLoginResponse: z.object({
      accessToken: z.string(),
      expiresAt: z.iso.datetime(),
      user: demoUser,
    }),
    DemoUserList: z.array(demoUser),
    ServerEventBody: serverEventBodySchema,
    Preferences: preferencesSchema,
    UpdateUserBody: updateUserBodySchema,
    UserProfile: z.object({
      id: z.string(),
      email: z.string().nullable(),
      timezone: z.string().nullable(),
    }),
    Delivery: z.object({ delivered: z.boolean() }),
    ServerEventBatchBody: serverEventBatchBodySchema,
    EventBatchDelivery: z.object({
      accepted: z.number().int().positive().describe('How many events were emitted (every item)'),
      delivered: z
        .array(z.boolean())
        .describe(
          'Per item, in request order: whether its user had a connected socket when it was sent',
        ),
    }),
    HttpError: z.object({
      statusCode: z.number().int().describe('The HTTP status of `code`'),
      message: z
        .union([z.string(), z.array(z.string())])
        .describe('One sentence, or one line per problem of invalid input'),
      error: z.string().describe('The reason phrase of the status, e.g. `Not Found`'),
      code: z
        .enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]])
        .describe('Machine-readable error code, the same as on the Socket.IO side'),
    }),
  } satisfies Record<string, z.ZodType>;
  return schemas;
}

export type ContractSchemaName = keyof ReturnType<typeof contractSchemas>;

/** JSON Schema (OpenAPI 3.0 flavour) of every component. */
export function contractJsonSchemas(
  maxRecipients: number,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(contractSchemas(maxRecipients)).map(([name, schema]) => {
      const json = z.toJSONSchema(schema, {
        target: 'openapi-3.0',
        io: 'input',
        unrepresentable: 'any',
      }) as Record<string, unknown>;
      delete json['$schema'];
      return [name, json];
    }),
  );
}
