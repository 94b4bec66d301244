import { userIdSchema } from '@herald/ws-contracts';
import { z } from 'zod';

/** Users per page of the presence list when the caller names no `limit`. */
export const DEFAULT_PRESENCE_PAGE_SIZE = 100;
/** The largest `limit` the presence list accepts. */
export const MAX_PRESENCE_PAGE_SIZE = 1_000;

/** A page of `WebSocketService.getConnectedUsers` and `GET /realtime/presence`. */
export interface ConnectedUsersPage {
  users: { userId: string; sockets: number }[];
  /** Opaque; pass it back as `cursor` for the next page. Null on the last page. */
  nextCursor: string | null;
}

/**
 * Cursors are opaque to callers (base64url of the last userId of the page) so that the
 * paging scheme can change without breaking them.
 */
export function encodePresenceCursor(userId: string): string {
  return Buffer.from(userId, 'utf8').toString('base64url');
}

/** The userId a cursor stands for; undefined when it is not one this API handed out. */
export function decodePresenceCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const userId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodePresenceCursor(userId) !== cursor || !userIdSchema.safeParse(userId).success)
    return undefined;
  return userId;
}

/** `?limit=&cursor=` of the presence list: limit 1-1000 (default 100), a cursor it issued. */
export const presenceListQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine(
      (n) => n >= 1 && n <= MAX_PRESENCE_PAGE_SIZE,
      `must be between 1 and ${MAX_PRESENCE_PAGE_SIZE}`,
    )
    .optional(),
  cursor: z
    .string()
    .transform((cursor, context) => {
      const userId = decodePresenceCursor(cursor);
      if (userId === undefined) {
        context.addIssue({ code: 'custom', message: 'is not a cursor of this list' });
        return z.NEVER;
      }
      return userId;
    })
    .optional(),
});
