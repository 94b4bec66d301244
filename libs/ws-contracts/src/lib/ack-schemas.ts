import { z } from 'zod';
import { ErrorCode } from './errors';
import { ClientEvent, type ClientEventName } from './events';
import { isoDateSchema, notificationIdSchema, userIdSchema } from './schemas';

/** Every error code of the contract, as a schema. */
export const errorCodeSchema = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

/** `error` of a negative acknowledgement: `{ ok: false, error: { code, message } }`. */
export const errorDetailSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
});

const unreadCount = z.number().int().nonnegative();

/**
 * What a successful acknowledgement carries for each client event besides `ok: true`; the
 * runtime twin of `ClientEventResults` (a type test keeps them equal).
 */
export const clientEventResultSchemas = {
  [ClientEvent.MarkRead]: z.object({ notificationId: notificationIdSchema, unreadCount }),
  [ClientEvent.MarkAllRead]: z.object({ updated: z.number().int().nonnegative(), unreadCount }),
  [ClientEvent.Delete]: z.object({ notificationId: notificationIdSchema, unreadCount }),
  [ClientEvent.AuthRefresh]: z.object({
    userId: userIdSchema,
    /** When the new token expires; null for a token without `exp`. */
    expiresAt: isoDateSchema.nullable(),
  }),
  [ClientEvent.Received]: z.object({}),
} as const satisfies Record<ClientEventName, z.ZodObject>;

/** The whole acknowledgement of `event`: `{ ok: true, ...result }` or `{ ok: false, error }`. */
export function ackSchemaFor(event: ClientEventName) {
  return z.discriminatedUnion('ok', [
    clientEventResultSchemas[event].extend({ ok: z.literal(true) }),
    z.object({ ok: z.literal(false), error: errorDetailSchema }),
  ]);
}
