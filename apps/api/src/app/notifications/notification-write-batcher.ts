import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError, type Notification } from '@herald/ws-contracts';
import { DatabaseService } from '../database/database.service';
import type { Database } from '../database/database.types';
import { BatchItemFailure, MicroBatcher } from '../database/micro-batcher';
import { IdempotencyRepository, replayOf } from '../idempotency/idempotency.repository';
import {
  claimId,
  type IdempotentAnswer,
  type IdempotentRequest,
} from '../idempotency/idempotent-request';
import { NotificationsRepository, type NotificationSend } from './notifications.repository';

/**
 * Rows per INSERT at most: a batch stops growing here (one send may hold up to
 * MAX_RECIPIENTS rows on its own and is then a batch alone).
 */
export const MAX_ROWS_PER_BATCH = 2_000;

/** A send that carries an `Idempotency-Key`, and how its answer is made from its records. */
export interface IdempotentSend {
  request: IdempotentRequest;
  answerOf(records: readonly Notification[]): IdempotentAnswer;
}

/** One send to store, optionally under an idempotency key. */
export interface WriteRequest extends NotificationSend {
  idempotency?: IdempotentSend;
}

/** What became of one send: stored now, or answered before under the same key. */
export type WriteOutcome =
  { replayed: false; records: Notification[] } | { replayed: true; answer: IdempotentAnswer };

/**
 * Group commit for sends: concurrent sends (`POST /api/notifications`, the demo panel)
 * are stored with one INSERT instead of a statement each. It only stores; publishing is
 * the caller's next step. What a caller sees does not change: its promise resolves with
 * its own records once they are committed, and when a batch fails every send in it fails
 * and nothing of it was stored. Batches run one at a time, in arrival order, so records of
 * a later send are never committed before an earlier one's.
 *
 * Sends with an `Idempotency-Key` make their batch one transaction: claim the keys, insert
 * the rows of the sends that got theirs (and of those without a key), record their
 * answers, commit. A send whose key was used before stores nothing and answers the first
 * answer; two sends with one key in the same batch are stored once (the second follows
 * the first).
 */
@Injectable()
export class NotificationWriteBatcher {
  private readonly batcher = new MicroBatcher<WriteRequest, WriteOutcome>(
    (sends) => this.insert(sends),
    { weigh: (send) => send.userIds.length, maxWeight: MAX_ROWS_PER_BATCH },
  );

  constructor(
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
    @Inject(IdempotencyRepository) private readonly idempotency: IdempotencyRepository,
    @Inject(DatabaseService) private readonly database: DatabaseService,
  ) {}

  /** Stores `send.content` once per user of `send.userIds` (distinct), unless replayed. */
  store(send: WriteRequest): Promise<WriteOutcome> {
    return this.batcher.submit(send);
  }

  private async insert(
    sends: readonly WriteRequest[],
  ): Promise<(WriteOutcome | BatchItemFailure)[]> {
    try {
      return await this.storeBatch(sends);
    } catch (error) {
      // The database refused some value (e.g. `\u0000` in JSON) and so the whole statement.
      // Validation already ran per request, so this is rare: store each send alone so the
      // 400 lands on the send that carries the value and the others are stored as usual.
      if (!HeraldError.is(error, ErrorCode.InvalidPayload) || sends.length === 1) throw error;
      const outcomes: (WriteOutcome | BatchItemFailure)[] = [];
      for (const send of sends) {
        try {
          const [outcome] = await this.storeBatch([send]);
          outcomes.push(outcome as WriteOutcome | BatchItemFailure);
        } catch (alone) {
          outcomes.push(new BatchItemFailure(alone));
        }
      }
      return outcomes;
    }
  }

  private async storeBatch(
    sends: readonly WriteRequest[],
  ): Promise<(WriteOutcome | BatchItemFailure)[]> {
    if (!sends.some((send) => send.idempotency)) {
      // One statement is atomic on its own: no transaction needed.
      const stored = await this.repository.insertSends(sends);
      return stored.map((records) => ({ replayed: false, records }));
    }
    return this.database.transaction((tx) => this.storeIdempotent(tx, sends));
  }

  private async storeIdempotent(
    tx: Database,
    sends: readonly WriteRequest[],
  ): Promise<(WriteOutcome | BatchItemFailure)[]> {
    // The first send of each key claims it; later sends of that key in this batch follow it.
    const claimants = new Map<string, WriteRequest>();
    for (const send of sends) {
      const id = send.idempotency && claimId(send.idempotency.request);
      if (id && !claimants.has(id)) claimants.set(id, send);
    }
    const requests = [...claimants.values()].map((s) => (s.idempotency as IdempotentSend).request);
    const claimed = await this.idempotency.claim(tx, requests);
    const remembered = await this.idempotency.answers(
      tx,
      requests.filter((r) => !claimed.has(claimId(r))),
    );

    const toStore = sends.filter((send) => {
      if (!send.idempotency) return true;
      const id = claimId(send.idempotency.request);
      return claimed.has(id) && claimants.get(id) === send;
    });
    const stored = await this.repository.insertSends(toStore, tx);
    const recordsOf = new Map(toStore.map((send, i) => [send, stored[i] as Notification[]]));

    // The answers of the keys claimed now, recorded with the rows; followers replay them.
    const fresh: { request: IdempotentRequest; answer: IdempotentAnswer }[] = [];
    for (const send of toStore) {
      if (!send.idempotency) continue;
      const { request, answerOf } = send.idempotency;
      const answer = answerOf(recordsOf.get(send) as Notification[]);
      fresh.push({ request, answer });
      remembered.set(claimId(request), { ...answer, fingerprint: request.fingerprint });
    }
    await this.idempotency.record(tx, fresh);

    return sends.map((send) => {
      const records = recordsOf.get(send);
      if (records) return { replayed: false, records };
      try {
        const request = (send.idempotency as IdempotentSend).request;
        return { replayed: true, answer: replayOf(request, remembered) };
      } catch (error) {
        return new BatchItemFailure(error);
      }
    });
  }
}
