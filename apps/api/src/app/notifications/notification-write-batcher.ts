import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, HeraldError, type Notification } from '@herald/ws-contracts';
import { BatchItemFailure, MicroBatcher } from '../database/micro-batcher';
import { NotificationsRepository, type NotificationSend } from './notifications.repository';

/**
 * Rows per INSERT at most: a batch stops growing here (one send may hold up to
 * MAX_RECIPIENTS rows on its own and is then a batch alone).
 */
export const MAX_ROWS_PER_BATCH = 2_000;

/**
 * Group commit for sends: concurrent sends (`POST /api/notifications`, the demo panel)
 * are stored with one INSERT instead of a statement each. It only stores; publishing is
 * the caller's next step. What a caller sees does not change: its promise resolves with
 * its own records once they are committed, and when a batch fails every send in it fails
 * and nothing of it was stored (one statement is atomic). Batches run one at a time, in
 * arrival order, so records of a later send are never committed before an earlier one's.
 */
@Injectable()
export class NotificationWriteBatcher {
  private readonly batcher = new MicroBatcher<NotificationSend, Notification[]>(
    (sends) => this.insert(sends),
    { weigh: (send) => send.userIds.length, maxWeight: MAX_ROWS_PER_BATCH },
  );

  constructor(
    @Inject(NotificationsRepository) private readonly repository: NotificationsRepository,
  ) {}

  /** Stores `send.content` once per user of `send.userIds` (distinct); answers the records. */
  store(send: NotificationSend): Promise<Notification[]> {
    return this.batcher.submit(send);
  }

  private async insert(
    sends: readonly NotificationSend[],
  ): Promise<(Notification[] | BatchItemFailure)[]> {
    try {
      return await this.repository.insertSends(sends);
    } catch (error) {
      // The database refused some value (e.g. `\u0000` in JSON) and so the whole statement.
      // Validation already ran per request, so this is rare: store each send alone so the
      // 400 lands on the send that carries the value and the others are stored as usual.
      if (!HeraldError.is(error, ErrorCode.InvalidPayload) || sends.length === 1) throw error;
      const outcomes: (Notification[] | BatchItemFailure)[] = [];
      for (const send of sends) {
        try {
          const [records] = await this.repository.insertSends([send]);
          outcomes.push(records ?? []);
        } catch (alone) {
          outcomes.push(new BatchItemFailure(alone));
        }
      }
      return outcomes;
    }
  }
}
