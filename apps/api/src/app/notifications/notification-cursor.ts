import { ErrorCode, HeraldError, notificationIdSchema } from '@herald/ws-contracts';

/** Position in a user's inbox ordered by (createdAt DESC, id DESC). */
export interface InboxPosition {
  createdAt: string;
  id: string;
}

/**
 * Keyset cursors: the (createdAt, id) of the last item of a page, base64url-encoded so
 * clients treat it as opaque. Unlike offsets they stay correct while new notifications
 * arrive (new ones sort before the cursor, so nothing is skipped or repeated).
 */
export function encodeCursor(position: InboxPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): InboxPosition {
  const [createdAt, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const valid =
    extra === undefined &&
    typeof createdAt === 'string' &&
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(createdAt) &&
    !Number.isNaN(Date.parse(createdAt)) &&
    notificationIdSchema.safeParse(id).success;
  if (!valid) {
    throw new HeraldError(ErrorCode.InvalidPayload, 'Invalid cursor', {
      details: ['cursor: is not a cursor returned by this API'],
    });
  }
  return { createdAt, id };
}
