import { Inject, Injectable } from '@nestjs/common';
import { eq, sql, type SQL } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service';
import { users, type UserRow } from './users.schema';

/** What Herald knows of one user; null fields are unknown. */
export interface UserProfile {
  id: string;
  email: string | null;
  timezone: string | null;
}

@Injectable()
export class UsersRepository {
  constructor(@Inject(DatabaseService) private readonly database: DatabaseService) {}

  async find(userId: string): Promise<UserProfile | null> {
    const [row] = await this.database.run((db) =>
      db.select().from(users).where(eq(users.id, userId)).limit(1),
    );
    return row ? toProfile(row) : null;
  }

  /** Sets the given fields (`null` clears one, absent keeps it); answers the profile. */
  async upsert(
    userId: string,
    fields: { email?: string | null; timezone?: string | null },
  ): Promise<UserProfile> {
    const set: Partial<typeof users.$inferInsert> = { updatedAt: sql`now()` as never };
    if (fields.email !== undefined) set.email = fields.email;
    if (fields.timezone !== undefined) set.timezone = fields.timezone;
    const [row] = await this.database.run((db) =>
      db
        .insert(users)
        .values({ id: userId, email: fields.email ?? null, timezone: fields.timezone ?? null })
        .onConflictDoUpdate({ target: users.id, set })
        .returning(),
    );
    return toProfile(row as UserRow);
  }

  /**
   * Records the addresses of many users in one statement; a row whose address is already
   * that one is not rewritten (no dead tuple per reconnect).
   */
  async recordEmails(entries: readonly AddressToRecord[]): Promise<void> {
    if (entries.length === 0) return;
    await this.database.run((db) => db.execute(recordEmailsStatement(entries)));
  }

  /**
   * Runs the statement of `recordEmails` once per burst of `bursts` (made-up users) in a
   * transaction that is rolled back: nothing is stored; the rows it wrote are dead ones,
   * until `reclaimDeadRows`.
   */
  async rehearseRecordEmails(bursts: readonly (readonly AddressToRecord[])[]): Promise<void> {
    await this.database.rehearse(async (tx) => {
      for (const entries of bursts) await tx.execute(recordEmailsStatement(entries));
    });
  }

  /** Vacuums the table: its dead rows, a rehearsal's included, are reclaimed for good. */
  async reclaimDeadRows(): Promise<void> {
    await this.database.vacuum(users);
  }
}

/** A user's address as their token gave it. */
export interface AddressToRecord {
  userId: string;
  email: string;
}

function recordEmailsStatement(entries: readonly AddressToRecord[]): SQL {
  return sql`
    insert into ${users} (id, email)
    select id, email
    from unnest(${sql.param(entries.map((e) => e.userId))}::text[],
                ${sql.param(entries.map((e) => e.email))}::text[]) as u(id, email)
    on conflict (id) do update set email = excluded.email, updated_at = now()
    where ${users.email} is distinct from excluded.email`;
}

function toProfile(row: UserRow): UserProfile {
  return { id: row.id, email: row.email, timezone: row.timezone };
}
