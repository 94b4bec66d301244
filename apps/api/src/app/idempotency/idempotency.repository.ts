import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { Database } from '../database/database.types';
import { idempotencyKeys } from './idempotency.schema';
import {
  claimId,
  keyBusy,
  keyReused,
  IDEMPOTENCY_TTL_SECONDS,
  type IdempotentAnswer,
  type IdempotentRequest,
} from './idempotent-request';

/**
 * How long a request waits for another transaction that holds its key (the first request
 * with that key, still running). Normally milliseconds; past this bound the request fails
 * with a retryable 503 (`lock_timeout`), stores nothing and releases its own keys.
 */
export const CLAIM_WAIT_MS = 10_000;

/** A key that was used before: its fingerprint and the first answer. */
export interface RememberedAnswer extends IdempotentAnswer {
  fingerprint: string;
}

/**
 * The idempotency table, always inside the caller's transaction: claim the keys, do the
 * effect, record the answers, commit. Because the claim is an INSERT on the primary key, a
 * second request with the same key — in this process or any other — waits on that row
 * until the first transaction ends: it then sees the committed answer (and replays it), or,
 * when the first rolled back (a failure), claims the key itself. No check-then-insert, no
 * pending state that a crash could leave behind.
 */
@Injectable()
export class IdempotencyRepository {
  /**
   * Claims the keys of `requests` (distinct) in one statement; answers the ids
   * (`claimId`) of those this transaction now holds. A key whose window ended is taken
   * over. Rows are inserted in key order, so two transactions claiming overlapping keys
   * lock them in the same order and cannot deadlock. A key held by a transaction that is
   * still running is waited for up to CLAIM_WAIT_MS, then the request fails with 503.
   */
  async claim(tx: Database, requests: readonly IdempotentRequest[]): Promise<Set<string>> {
    if (requests.length === 0) return new Set();
    // Bounds the wait on a key held by a transaction that has not ended (SET LOCAL: this
    // transaction only).
    await tx.execute(sql.raw(`set local lock_timeout = ${CLAIM_WAIT_MS}`));
    const rows = await tx
      .insert(idempotencyKeys)
      // Columns in table order: scope, key, fingerprint, response_status, response_body, created_at, expires_at.
      .select(
        sql`select r.scope, r.key, r.fingerprint, null::int, null::jsonb, now(),
                   now() + make_interval(secs => ${IDEMPOTENCY_TTL_SECONDS})
            from unnest(${sql.param(requests.map((r) => r.scope))}::text[],
                        ${sql.param(requests.map((r) => r.key))}::text[],
                        ${sql.param(requests.map((r) => r.fingerprint))}::text[]) as r(scope, key, fingerprint)
            order by r.scope, r.key`,
      )
      .onConflictDoUpdate({
        target: [idempotencyKeys.scope, idempotencyKeys.key],
        set: {
          fingerprint: sql`excluded.fingerprint`,
          responseStatus: sql`null`,
          responseBody: sql`null`,
          createdAt: sql`excluded.created_at`,
          expiresAt: sql`excluded.expires_at`,
        },
        setWhere: sql`${idempotencyKeys.expiresAt} <= now()`,
      })
      .returning({ scope: idempotencyKeys.scope, key: idempotencyKeys.key });
    return new Set(rows.map(claimId));
  }

  /** The first answers of keys used before (committed by other transactions), by `claimId`. */
  async answers(
    tx: Database,
    requests: readonly IdempotentRequest[],
  ): Promise<Map<string, RememberedAnswer>> {
    if (requests.length === 0) return new Map();
    const rows = await tx
      .select()
      .from(idempotencyKeys)
      .where(
        sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key}) in (
              select * from unnest(${sql.param(requests.map((r) => r.scope))}::text[],
                                   ${sql.param(requests.map((r) => r.key))}::text[]))
            and ${idempotencyKeys.expiresAt} > now()`,
      );
    const answers = new Map<string, RememberedAnswer>();
    for (const row of rows) {
      if (row.responseStatus === null) continue;
      answers.set(claimId(row), {
        fingerprint: row.fingerprint,
        status: row.responseStatus,
        body: row.responseBody,
      });
    }
    return answers;
  }

  /** Records the answers of claimed keys, in the transaction of their effect (one statement). */
  async record(
    tx: Database,
    answers: readonly { request: IdempotentRequest; answer: IdempotentAnswer }[],
  ): Promise<void> {
    if (answers.length === 0) return;
    await tx.execute(
      sql`update ${idempotencyKeys} set response_status = a.status, response_body = a.body::jsonb
          from unnest(${sql.param(answers.map((a) => a.request.scope))}::text[],
                      ${sql.param(answers.map((a) => a.request.key))}::text[],
                      ${sql.param(answers.map((a) => a.answer.status))}::int[],
                      ${sql.param(answers.map((a) => JSON.stringify(a.answer.body)))}::text[])
                 as a(scope, key, status, body)
          where ${idempotencyKeys.scope} = a.scope and ${idempotencyKeys.key} = a.key`,
    );
  }

  /**
   * One request's effect under its key, inside `tx`: runs `effect` and records its answer
   * when this transaction claimed the key; answers the first answer instead (nothing run)
   * when the key was used before with the same body; throws IDEMPOTENCY_KEY_REUSED when it
   * was used with another body.
   */
  async once<T>(
    tx: Database,
    request: IdempotentRequest,
    effect: () => Promise<T>,
    answerOf: (result: T) => IdempotentAnswer,
  ): Promise<{ replayed: false; result: T } | { replayed: true; answer: IdempotentAnswer }> {
    if ((await this.claim(tx, [request])).size === 0) {
      return { replayed: true, answer: replayOf(request, await this.answers(tx, [request])) };
    }
    const result = await effect();
    await this.record(tx, [{ request, answer: answerOf(result) }]);
    return { replayed: false, result };
  }
}

/** The remembered answer `request` replays, or why it cannot. */
export function replayOf(
  request: IdempotentRequest,
  remembered: ReadonlyMap<string, RememberedAnswer>,
): IdempotentAnswer {
  const first = remembered.get(claimId(request));
  if (!first) throw keyBusy();
  if (first.fingerprint !== request.fingerprint) throw keyReused();
  return { status: first.status, body: first.body };
}
