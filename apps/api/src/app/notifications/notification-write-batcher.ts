import { ErrorCode, HeraldError, type Notification } from '@herald/ws-contracts';
import { BatchItemFailure, MicroBatcher } from '../database/micro-batcher';
import type { NotificationSend, NotificationsRepository } from './notifications.repository';

/**
 * Rows per INSERT at most: a batch stops growing here (one send may hold up to
 * MAX_RECIPIENTS rows on its own and is then a batch alone).
 */
const MAX_ROWS_PER_BATCH = 2_000;

/**
 * Coalesces concurrent sends (`POST /api/notifications`, the demo panel) into one INSERT
 * and one grouped unread-count query, instead of a transaction and a count per request.
 * What a caller sees does not change: its promise resolves with its own records only
 * after they are stored and pushed; when a batch fails, every send in it fails and
 * nothing of it was stored or pushed (one statement is atomic).
 */
export class NotificationWriteBatcher {
  private readonly batcher = new MicroBatcher<NotificationSend, Notification[]>(
    (sends) => this.storeAndPublish(sends),
    { weigh: (send) => send.userIds.length, maxWeight: MAX_ROWS_PER_BATCH },
  );

  constructor(
    private readonly repository: NotificationsRepository,
    /** Pushes stored notifications and their recipients' unread counts. */
    private readonly publish: (stored: readonly Notification[]) => Promise<void>,
  ) {}

  /** Stores `content` once per user of `userIds` (distinct), pushes it, answers the records. */
  send(send: NotificationSend): Promise<Notification[]> {
    return this.batcher.submit(send);
  }

  private async storeAndPublish(
    sends: readonly NotificationSend[],
  ): Promise<(Notification[] | BatchItemFailure)[]> {
    const outcomes = await this.store(sends);
    const stored = outcomes.flatMap((o) => (o instanceof BatchItemFailure ? [] : o));
    await this.publish(stored);
    return outcomes;
  }

  private async store(
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
