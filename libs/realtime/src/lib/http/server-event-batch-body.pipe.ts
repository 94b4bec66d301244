import type { PipeTransform } from '@nestjs/common';
import {
  ErrorCode,
  HeraldError,
  LIMITS,
  serverEventBatchItemSchema,
  userIdSchema,
} from '@herald/ws-contracts';
import { z } from 'zod';
import {
  payloadAsSent,
  wellFormedEvent,
  type ValidServerEventBody,
} from './server-event-body.pipe';
import { describeIssues, ZodValidationPipe } from './zod-validation.pipe';

/** One validated item of `POST /api/realtime/events`. */
export interface ValidServerEventBatchItem extends ValidServerEventBody {
  userId: string;
}

/** The envelope alone; each item is checked on its own below, so its problems name it. */
const envelope = new ZodValidationPipe(
  z.strictObject({
    events: z
      .array(z.unknown())
      .min(1, 'must hold at least one event')
      .max(LIMITS.maxBatchEvents, `must hold at most ${LIMITS.maxBatchEvents} events`),
  }),
);

/**
 * Validates `{ events: [{ userId, event, payload }, ...] }` of `POST /api/realtime/events`:
 * every item exactly as the single-user endpoint checks its `:userId` and body (the
 * contract's `userIdSchema`, event allow-list and payload schemas), all or nothing. One
 * bad item refuses the whole request with 400 INVALID_PAYLOAD, each problem naming its
 * item (`events[3].payload.amount: ...`), so nothing is emitted.
 *
 * Like ServerEventBodyPipe, a well-formed item is checked with its payload's schema alone
 * and anything else goes through the full contract schema; the payload passed on is the
 * payload schema's output (unknown keys stripped).
 */
export class ServerEventBatchBodyPipe implements PipeTransform<
  unknown,
  ValidServerEventBatchItem[]
> {
  transform(value: unknown): ValidServerEventBatchItem[] {
    const { events } = envelope.transform(value);
    const valid: ValidServerEventBatchItem[] = [];
    const problems: string[] = [];
    events.forEach((item, index) => {
      const parsed = parseItem(item);
      if (parsed.success) valid.push(parsed.data);
      else problems.push(...describeIssues(parsed.error, `events[${index}]`));
    });
    if (problems.length > 0) {
      throw new HeraldError(ErrorCode.InvalidPayload, 'Invalid payload', { details: problems });
    }
    return valid;
  }
}

const ITEM_KEYS = ['userId', 'event', 'payload'] as const;

function parseItem(
  item: unknown,
): { success: true; data: ValidServerEventBatchItem } | { success: false; error: z.ZodError } {
  const fast = wellFormedEvent(item, ITEM_KEYS);
  if (fast) {
    const userId = userIdSchema.safeParse(fast.userId);
    const payload = fast.schema.safeParse(fast.payload);
    if (userId.success && payload.success) {
      return { success: true, data: validItem(userId.data, fast.event, payload.data) };
    }
  }
  const full = serverEventBatchItemSchema.safeParse(item);
  if (!full.success) return full;
  return {
    success: true,
    data: validItem(
      full.data.userId,
      full.data.event,
      payloadAsSent(full.data.event, full.data.payload),
    ),
  };
}

function validItem(userId: string, event: string, payload: unknown): ValidServerEventBatchItem {
  return { userId, event, payload } as ValidServerEventBatchItem;
}
