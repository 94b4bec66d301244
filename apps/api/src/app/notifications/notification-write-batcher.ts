import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError, type Notification } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseService } from '../database/database.service';
import type { Database } from '../database/database.types';
import { BatchItemFailure, MicroBatcher } from '../database/micro-batcher';
import { IdempotencyRepository, replayOf } from '../idempotency/idempotency.repository';
import {
  claimId,
  type IdempotentAnswer,
  type IdempotentRequest,
} from '../idempotency/idempotent-request';
import type { NotificationSend } from './notification-send';
import { NotificationsRepository } from './notifications.repository';

/**
 * Rows per INSERT at most: a batch stops growing here (one request may hold up to
 * MAX_RECIPIENTS rows on its own and is then a batch alone).
 */
export const MAX_ROWS_PER_BATCH = 2_000;

/**
 * A request that carries an `Idempotency-Key`, and how its answer is made from its
 * records (one list per send, in order).
 */
export interface IdempotentSend {
  request: IdempotentRequest;
  answerOf(records: readonly Notification[][]): IdempotentAnswer;
}

/**
 * One request to store: one send (`POST /api/notifications`) or several
 * (`POST /api/notifications/batch`), stored together — all of them or none — optionally
 * under an idempotency key.
 */
export interface WriteRequest {
  sends: readonly NotificationSend[];
  idempotency?: IdempotentSend;
}

/**
 * What became of one request: stored now (the records of each send, in order), or
 * answered before under the same key.
 */
export type WriteOutcome =
  | {
      replayed: false;
      records: Notification[][];
      /**
       * The unread count of every recipient of the batch right after its insert, where the
       * insert could read it (see NotificationsRepository.insertSendsCounting).
       */
      unreadCounts?: ReadonlyMap<string, number>;
    }
  | { replayed: true; answer: IdempotentAnswer };

/** Rows a request writes. */
const rowsOf = (request: WriteRequest) =>
  request.sends.reduce((rows, send) => rows + send.userIds.length, 0);

/**
 * Group commit for sends: concurrent requests (`POST /api/notifications`, its batch twin,
 * the demo panel) are stored with one INSERT instead of a statement each. It only stores;
 * publishing is the caller's next step. What a caller sees does not change: its promise
 * resolves with its own records once they are committed, and when a batch fails every
 * request in it fails and nothing of it was stored. The sends of one request are always
 * in the same statement, so they are stored together or not at all. Batches run one at a
 * time, in arrival order, so records of a later request are never committed before an
 * earlier one's.
 *
 * Requests with an `Idempotency-Key` make their batch one transaction: claim the keys,
 * insert the rows of the requests that got theirs (and of those without a key), record
 * their answers, commit. A request whose key was used before stores nothing and answers
 * the first answer; two requests with one key in the same batch are stored once (the
 * second follows the first).
 *
 * Batches start at most every `notificationWrites.intervalMs` while sends keep coming. One
 * INSERT costs the database (PGlite's thread above all) about as much for one row as for
 * fifty, and under a steady trickle each statement would otherwise finish before the next
 * send arrives, so every send would pay a whole statement. A send after a quiet spell is
 * stored at once; a full batch never waits.
 */
@Injectable()
export class NotificationWriteBatcher {
  private readonly batcher: MicroBatcher<WriteRequest, WriteOutcome>;

  constructor(
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
    @Inject(IdempotencyRepository) private readonly idempotency: IdempotencyRepository,
    @Inject(DatabaseService) private readonly database: DatabaseService,
    @Inject(APP_CONFIG) config: Pick<AppConfig, 'notificationWrites'>,
  ) {
    this.batcher = new MicroBatcher((writes) => this.insert(writes), {
      weigh: rowsOf,
      maxWeight: MAX_ROWS_PER_BATCH,
      minIntervalMs: config.notificationWrites.intervalMs,
    });
  }

  /**
   * Stores the content of each send once per user of its `userIds` (distinct), every send
   * of the request or none, unless replayed.
   */
  store(write: WriteRequest): Promise<WriteOutcome> {
    return this.batcher.submit(write);
  }

  private async insert(
    writes: readonly WriteRequest[],
  ): Promise<(WriteOutcome | BatchItemFailure)[]> {
    try {
      return await this.storeBatch(writes);
    } catch (error) {
      // The database refused some value (e.g. `\u0000` in JSON) and so the whole statement.
      // Validation already ran per request, so this is rare: store each request alone so
      // the 400 lands on the request that carries the value (every send of it fails with
      // it) and the others are stored as usual.
      if (!HeraldError.is(error, ErrorCode.InvalidPayload) || writes.length === 1) throw error;
      const outcomes: (WriteOutcome | BatchItemFailure)[] = [];
      for (const write of writes) {
        try {
          const [outcome] = await this.storeBatch([write]);
          outcomes.push(outcome as WriteOutcome | BatchItemFailure);
        } catch (alone) {
          outcomes.push(new BatchItemFailure(alone));
        }
      }
      return outcomes;
    }
  }

  private async storeBatch(
    writes: readonly WriteRequest[],
  ): Promise<(WriteOutcome | BatchItemFailure)[]> {
    if (!writes.some((write) => write.idempotency)) {
      // One statement is atomic on its own: no transaction needed.
      const { stored, unreadCounts } = await this.repository.insertSendsCounting(
        writes.flatMap((write) => write.sends),
      );
      return perWrite(writes, stored).map((records) => ({
        replayed: false,
        records,
        unreadCounts,
      }));
    }
    return this.database.transaction((tx) => this.storeIdempotent(tx, writes));
  }

  private async storeIdempotent(
    tx: Database,
    writes: readonly WriteRequest[],
  ): Promise<(WriteOutcome | BatchItemFailure)[]> {
    // The first request of each key claims it; later ones with that key in this batch follow it.
    const claimants = new Map<string, WriteRequest>();
    for (const write of writes) {
      const id = write.idempotency && claimId(write.idempotency.request);
      if (id && !claimants.has(id)) claimants.set(id, write);
    }
    const requests = [...claimants.values()].map((w) => (w.idempotency as IdempotentSend).request);
    const claimed = await this.idempotency.claim(tx, requests);
    const remembered = await this.idempotency.answers(
      tx,
      requests.filter((r) => !claimed.has(claimId(r))),
    );

    const toStore = writes.filter((write) => {
      if (!write.idempotency) return true;
      const id = claimId(write.idempotency.request);
      return claimed.has(id) && claimants.get(id) === write;
    });
    const stored = await this.insertWrites(toStore, tx);
    const recordsOf = new Map(toStore.map((write, i) => [write, stored[i] as Notification[][]]));

    // The answers of the keys claimed now, recorded with the rows; followers replay them.
    const fresh: { request: IdempotentRequest; answer: IdempotentAnswer }[] = [];
    for (const write of toStore) {
      if (!write.idempotency) continue;
      const { request, answerOf } = write.idempotency;
      const answer = answerOf(recordsOf.get(write) as Notification[][]);
      fresh.push({ request, answer });
      remembered.set(claimId(request), { ...answer, fingerprint: request.fingerprint });
    }
    await this.idempotency.record(tx, fresh);

    return writes.map((write) => {
      const records = recordsOf.get(write);
      if (records) return { replayed: false, records };
      try {
        const request = (write.idempotency as IdempotentSend).request;
        return { replayed: true, answer: replayOf(request, remembered) };
      } catch (error) {
        return new BatchItemFailure(error);
      }
    });
  }

  /**
   * The sends of every request in ONE insert inside `tx`, answered per request: the
   * records of each of its sends, in order.
   */
  private async insertWrites(
    writes: readonly WriteRequest[],
    tx: Database,
  ): Promise<Notification[][][]> {
    const stored = await this.repository.insertSends(
      writes.flatMap((write) => write.sends),
      tx,
    );
    return perWrite(writes, stored);
  }
}

/** The records of every send of the batch (in order), as one list per request. */
function perWrite(writes: readonly WriteRequest[], stored: Notification[][]): Notification[][][] {
  let next = 0;
  return writes.map((write) => stored.slice(next, (next += write.sends.length)));
}
