import { Inject, Injectable, Optional } from '@nestjs/common';
import { and, desc, eq, getTableColumns, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Notification } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import type { Database } from '../database/database.types';
import type { InboxPosition } from './notification-cursor';
import { NotificationInsertHooks } from './notification-insert-hooks';
import type { NotificationSend } from './notification-send';
import { TimeOrderedIds } from './time-ordered-ids';
import {
  notifications,
  notificationUnreadCounts,
  type NotificationRow,
} from './notifications.schema';

export interface InboxQuery {
  unreadOnly: boolean;
  limit: number;
  after?: InboxPosition;
}

/** Row → wire format (`Notification` of the contract: ISO dates, `data` null when absent). */
export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    userId: row.userId,
    type: row.type,
    title: row.title,
    message: row.message,
    data: row.data ?? null,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt ? row.deliveredAt.toISOString() : null,
    readAt: row.readAt ? row.readAt.toISOString() : null,
    expiresAt: row.expiresAt ? row.expiresAt.toISOString() : null,
  };
}

/** A notification that has not expired: the only kind lists and unread counts see. */
const live = or(isNull(notifications.expiresAt), sql`${notifications.expiresAt} > now()`) as SQL;

/** A notification the sweeper deleted: whose devices to tell. */
export interface DeletedNotification {
  id: string;
  userId: string;
}

/** A receipt's effect: when the notification was created and first received. */
export interface FirstReceipt {
  createdAt: Date;
  deliveredAt: Date;
}

/** One device's receipt: these ids reached a device of `userId`. */
export interface Receipt {
  userId: string;
  notificationIds: readonly string[];
}

/**
 * Every query of the inbox. Each one that takes an id also takes the user id, so a
 * foreign id matches no row: it can neither be seen nor changed ("not found").
 */
@Injectable()
export class NotificationsRepository {
  constructor(
    @Inject(DatabaseService) private readonly database: DatabaseService,
    // Optional: a module without hooks (tests, tools) stores exactly as before.
    @Optional()
    @Inject(NotificationInsertHooks)
    private readonly hooks: NotificationInsertHooks = new NotificationInsertHooks(),
  ) {}

  private statements?: PreparedStatements;

  /**
   * The hot statements, built once (Drizzle's query building costs more main-thread time
   * than posting the query) and on PostgreSQL also parsed and planned once per connection.
   */
  private prepared(): PreparedStatements {
    this.statements ??= prepareStatements(this.database.db);
    return this.statements;
  }

  /**
   * Several sends (each: the same content for many users) in ONE statement, so no explicit
   * transaction: the statement is atomic, all rows are stored or none. Every array travels
   * as one parameter and `unnest` makes the rows (≈3× faster on PGlite than a VALUES list
   * with a parameter per cell). Ids are made here so each send gets exactly its own rows
   * back, whatever order RETURNING uses. Answers one list per send, in recipient order.
   * With `executor` (a transaction) the rows commit or roll back with the caller's work.
   * Registered NotificationInsertHooks run in the same transaction (one is opened for them
   * when the caller has none).
   */
  async insertSends(
    sends: readonly NotificationSend[],
    executor?: Database,
  ): Promise<Notification[][]> {
    const insert = toInsert(sends);
    if (!insert) return sends.map(() => []);
    const insertAndHook = async (tx: Database) => {
      const stored = inSendOrder(
        sends,
        insert.values.ids,
        await insertSendsQuery(tx).returning().execute(insert.values),
      );
      await this.hooks.run(tx, sends, stored);
      return stored;
    };
    // Inside a transaction its owner translates errors (DatabaseService.transaction).
    if (executor) return insertAndHook(executor);
    if (this.hooks.active) return this.database.transaction(insertAndHook);
    const rows = await this.database.run(() => this.prepared().insertSends.execute(insert.values));
    return inSendOrder(sends, insert.values.ids, rows);
  }

  /**
   * `insertSends` in one statement of its own, also answering each recipient's unread count
   * right after it where the database runs one statement at a time (PGlite): read in the
   * same statement, it saves the count query that would follow. Where statements run
   * concurrently (PostgreSQL) a count read with the insert could miss another process's
   * change committed meanwhile, so there it is left to the count query after the commit.
   */
  async insertSendsCounting(
    sends: readonly NotificationSend[],
  ): Promise<{ stored: Notification[][]; unreadCounts?: Map<string, number> }> {
    const insert = toInsert(sends);
    if (!insert || this.hooks.active || this.database.engine !== 'pglite')
      return { stored: await this.insertSends(sends) };
    const rows = await this.database.run(() =>
      this.prepared().insertSendsCounting.execute(insert.values),
    );
    // The count before the statement (the kept part and the live expiring part, the same on
    // every row of a user) plus the user's rows of this statement that count now.
    const unreadCounts = new Map<string, number>();
    for (const row of rows)
      unreadCounts.set(
        row.userId,
        (unreadCounts.get(row.userId) ?? row.unreadBefore) + (row.live ? 1 : 0),
      );
    return { stored: inSendOrder(sends, insert.values.ids, rows), unreadCounts };
  }

  async list(userId: string, query: InboxQuery): Promise<Notification[]> {
    const conditions: SQL[] = [eq(notifications.userId, userId), live];
    if (query.unreadOnly) conditions.push(isNull(notifications.readAt));
    if (query.after) {
      conditions.push(
        sql`(${notifications.createdAt}, ${notifications.id}) < (${query.after.createdAt}::timestamptz, ${query.after.id}::uuid)`,
      );
    }
    const rows = await this.database.run((db) =>
      db
        .select()
        .from(notifications)
        .where(and(...conditions))
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(query.limit),
    );
    return rows.map(toNotification);
  }

  /**
   * Unread counts of many users in one query; users with none map to 0. The part that
   * never expires is kept per user by the database (notificationUnreadCounts); only the
   * unread notifications that expire are counted here, as time passes them.
   */
  async unreadCounts(userIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map(userIds.map((id) => [id, 0]));
    if (userIds.length === 0) return counts;
    const rows = await this.database.run(() =>
      this.prepared().unreadCounts.execute({ users: [...userIds] }),
    );
    for (const row of rows) counts.set(row.userId, (counts.get(row.userId) ?? 0) + row.unread);
    return counts;
  }

  /** Marks one of the user's notifications read (idempotent); false when it is not theirs. */
  async markRead(userId: string, id: string): Promise<boolean> {
    const rows = await this.database.run((db) =>
      db
        .update(notifications)
        .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
        .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
        .returning({ id: notifications.id }),
    );
    return rows.length > 0;
  }

  /** Marks every unread notification of the user read; answers how many changed. */
  async markAllRead(userId: string): Promise<number> {
    const rows = await this.database.run((db) =>
      db
        .update(notifications)
        .set({ readAt: sql`now()` })
        .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
        .returning({ id: notifications.id }),
    );
    return rows.length;
  }

  /** Deletes one of the user's notifications for good; false when it is not theirs. */
  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.database.run((db) =>
      db
        .delete(notifications)
        .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
        .returning({ id: notifications.id }),
    );
    return rows.length > 0;
  }

  /** One notification for the service API, whoever it belongs to; undefined when unknown. */
  async findById(id: string): Promise<NotificationRow | undefined> {
    const [row] = await this.database.run((db) =>
      db.select().from(notifications).where(eq(notifications.id, id)).limit(1),
    );
    return row;
  }

  /**
   * Sets `delivered_at` of the receipts' notifications that belong to the receipt's user
   * and were not received before, in one UPDATE for every receipt of the batch (no read
   * first); answers the rows it changed. Foreign and unknown ids match nothing.
   */
  async markDelivered(receipts: readonly Receipt[]): Promise<FirstReceipt[]> {
    const users: string[] = [];
    const ids: string[] = [];
    for (const receipt of receipts) {
      for (const id of receipt.notificationIds) {
        users.push(receipt.userId);
        ids.push(id);
      }
    }
    if (ids.length === 0) return [];
    return this.database.run(
      () => this.prepared().markDelivered.execute({ ids, users }) as Promise<FirstReceipt[]>,
    );
  }

  /**
   * Deletes up to `limit` expired notifications in `tx` (the sweeper's transaction);
   * answers what it deleted. Rows another sweep holds are skipped, never waited for.
   */
  async deleteExpired(tx: Database, limit: number): Promise<DeletedNotification[]> {
    return tx
      .delete(notifications)
      .where(
        sql`${notifications.id} in (
              select id from ${notifications}
              where ${notifications.expiresAt} is not null and ${notifications.expiresAt} <= now()
              limit ${limit} for update skip locked)`,
      )
      .returning({ id: notifications.id, userId: notifications.userId });
  }

  /** Deletes up to `limit` read notifications created before `cutoff`; answers how many. */
  async deleteReadBefore(tx: Database, cutoff: Date, limit: number): Promise<number> {
    const rows = await tx
      .delete(notifications)
      .where(
        sql`${notifications.id} in (
              select id from ${notifications}
              where ${notifications.readAt} is not null
                and ${notifications.createdAt} < ${cutoff.toISOString()}::timestamptz
              limit ${limit} for update skip locked)`,
      )
      .returning({ id: notifications.id });
    return rows.length;
  }
}

/**
 * Ids of stored notifications, in the order they were sent: the rows of one statement share
 * `created_at`, so the inbox (newest first by `created_at`, then `id`) lists a user's
 * notifications stored together as they were sent.
 */
const notificationIds = new TimeOrderedIds();

/**
 * The rows of `sends`, one array per column (ids made here, so each send gets exactly its
 * own rows back whatever order RETURNING uses); undefined when there is no recipient.
 */
function toInsert(sends: readonly NotificationSend[]): { values: InsertValues } | undefined {
  const ids: string[] = [];
  const users: string[] = [];
  const sendIndexes: number[] = [];
  sends.forEach((send, index) => {
    for (const userId of send.userIds) {
      ids.push(notificationIds.next());
      users.push(userId);
      sendIndexes.push(index + 1);
    }
  });
  if (ids.length === 0) return undefined;
  return {
    values: {
      ids,
      users,
      sends: sendIndexes,
      types: sends.map((s) => s.content.type ?? 'info'),
      titles: sends.map((s) => s.content.title),
      messages: sends.map((s) => s.content.message),
      data: sends.map((s) => (s.content.data ? JSON.stringify(s.content.data) : null)),
      expiresAt: sends.map((s) => s.content.expiresAt ?? null),
    },
  };
}

/** RETURNING's rows as one list per send, in recipient order (`ids` is the insert's). */
function inSendOrder(
  sends: readonly NotificationSend[],
  ids: readonly string[],
  rows: readonly NotificationRow[],
): Notification[][] {
  const byId = new Map(rows.map((row) => [row.id, toNotification(row)]));
  let next = 0;
  return sends.map((send) =>
    send.userIds.map(() => {
      const stored = byId.get(ids[next++] as string);
      if (!stored) throw new Error('A stored notification is missing from RETURNING');
      return stored;
    }),
  );
}

/** The values of one insert of sends (see `insertSends`): one array per column. */
type InsertValues = {
  ids: string[];
  users: string[];
  sends: number[];
  types: string[];
  titles: string[];
  messages: string[];
  data: (string | null)[];
  expiresAt: (string | null)[];
};

const placeholder = sql.placeholder;

/**
 * The rows of many sends from one array per column: `r` has a row per recipient (id,
 * user, which send), `c` a row per send (its content), joined on the send.
 */
function insertSendsQuery(db: Database) {
  return (
    db
      .insert(notifications)
      // Every column in table order: id, user_id, type, title, message, data, created_at,
      // delivered_at, read_at, expires_at.
      .select(
        sql`select r.id, r.user_id, c.type, c.title, c.message, c.data::jsonb, now(),
                   null::timestamptz, null::timestamptz, c.expires_at::timestamptz
            from unnest(${placeholder('ids')}::uuid[], ${placeholder('users')}::text[], ${placeholder('sends')}::int[])
                   with ordinality as r(id, user_id, send, position)
            join unnest(${placeholder('types')}::text[], ${placeholder('titles')}::text[],
                        ${placeholder('messages')}::text[], ${placeholder('data')}::text[],
                        ${placeholder('expiresAt')}::text[])
                   with ordinality as c(type, title, message, data, expires_at, send) on c.send = r.send
            order by r.position`,
      )
  );
}

/** The user of the row being inserted, inside a subquery of RETURNING. */
const insertedUser = sql`${sql.identifier('notifications')}.${sql.identifier('user_id')}`;

function prepareStatements(db: Database) {
  // One array parameter rather than one parameter per id (cheaper to parse and plan).
  const users = sql`${placeholder('users')}::text[]`;
  return {
    insertSends: insertSendsQuery(db).returning().prepare('herald_insert_sends'),
    // Subqueries in RETURNING read the snapshot from before the statement: none of its own
    // rows, and the kept count before its trigger adds them. The inserted row's user is
    // spelled out: Drizzle writes RETURNING's columns unqualified, which inside a subquery
    // would name the subquery's own.
    insertSendsCounting: insertSendsQuery(db)
      .returning({
        ...getTableColumns(notifications),
        unreadBefore: sql<number>`coalesce((
            select c.unread from ${notificationUnreadCounts} c where c.user_id = ${insertedUser}), 0)
          + (select count(*)::int from ${notifications} n
             where n.user_id = ${insertedUser} and n.read_at is null
               and n.expires_at is not null and n.expires_at > now())`,
        live: sql<boolean>`(${notifications.expiresAt} is null or ${notifications.expiresAt} > now())`,
      })
      .prepare('herald_insert_sends_counting'),
    unreadCounts: db
      .select({ userId: notificationUnreadCounts.userId, unread: notificationUnreadCounts.unread })
      .from(notificationUnreadCounts)
      .where(sql`${notificationUnreadCounts.userId} = any(${users})`)
      .unionAll(
        db
          .select({ userId: notifications.userId, unread: sql<number>`count(*)::int` })
          .from(notifications)
          .where(
            and(
              sql`${notifications.userId} = any(${users})`,
              isNull(notifications.readAt),
              isNotNull(notifications.expiresAt),
              sql`${notifications.expiresAt} > now()`,
            ),
          )
          .groupBy(notifications.userId),
      )
      .prepare('herald_unread_counts'),
    markDelivered: db
      .update(notifications)
      .set({ deliveredAt: sql`now()` })
      .where(
        and(
          sql`(${notifications.id}, ${notifications.userId}) in (
                select * from unnest(${placeholder('ids')}::uuid[], ${placeholder('users')}::text[]))`,
          isNull(notifications.deliveredAt),
        ),
      )
      .returning({ createdAt: notifications.createdAt, deliveredAt: notifications.deliveredAt })
      .prepare('herald_mark_delivered'),
  };
}

type PreparedStatements = ReturnType<typeof prepareStatements>;
