import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { describeIssues, ZodValidationPipe } from '@herald/realtime';
import {
  buildCreateNotificationBodySchema,
  ErrorCode,
  HeraldError,
  LIMITS,
  recipientsOf,
} from '@herald/ws-contracts';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  refuseProtoKey,
  sendSize,
  type CreateNotificationInput,
} from './create-notification-body.pipe';

/** The envelope alone; each item is checked on its own, so its problems name it. */
const envelope = new ZodValidationPipe(
  z.strictObject({
    notifications: z
      .array(z.unknown())
      .min(1, 'must hold at least one notification')
      .max(
        LIMITS.maxBatchNotifications,
        `must hold at most ${LIMITS.maxBatchNotifications} notifications`,
      ),
  }),
);

/**
 * Validates `{ notifications: [...] }` of `POST /api/notifications/batch`: each item exactly
 * as CreateNotificationBodyPipe checks the body of `POST /api/notifications`, all or
 * nothing, every problem naming its item (`notifications[3].title: ...`). The request as a
 * whole is bounded as one send is: MAX_RECIPIENTS recipients in all, and SEND_MAX_BYTES
 * written in all.
 */
@Injectable()
export class CreateNotificationBatchBodyPipe implements PipeTransform<
  unknown,
  CreateNotificationInput[]
> {
  private readonly itemSchema: ReturnType<typeof buildCreateNotificationBodySchema>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.itemSchema = buildCreateNotificationBodySchema({
      maxRecipients: config.limits.maxRecipients,
    });
  }

  transform(body: unknown): CreateNotificationInput[] {
    const { notifications } = envelope.transform(body);
    const inputs: CreateNotificationInput[] = [];
    const problems: string[] = [];
    notifications.forEach((item, index) => {
      refuseProtoKey(item, `notifications[${index}].data`);
      const parsed = this.itemSchema.safeParse(item);
      if (parsed.success) inputs.push(parsed.data);
      else problems.push(...describeIssues(parsed.error, `notifications[${index}]`));
    });
    if (problems.length > 0) throw invalid(problems);

    const { maxRecipients, notificationDataMaxBytes, sendMaxBytes } = this.config.limits;
    const recipients = recipientsOf(inputs);
    if (recipients > maxRecipients) {
      throw invalid([
        `notifications: must name at most ${maxRecipients} recipients in all (MAX_RECIPIENTS); these name ${recipients}`,
      ]);
    }
    let written = 0;
    inputs.forEach((input, index) => {
      const size = sendSize(input);
      if (size.dataBytes > notificationDataMaxBytes) {
        throw new HeraldError(
          ErrorCode.PayloadTooLarge,
          `notifications[${index}].data is ${size.dataBytes} bytes as JSON; at most ${notificationDataMaxBytes} bytes are allowed (NOTIFICATION_DATA_MAX_BYTES)`,
        );
      }
      written += size.recipients * size.contentBytes;
    });
    if (written > sendMaxBytes) {
      throw new HeraldError(
        ErrorCode.PayloadTooLarge,
        `this batch would write ${written} bytes; at most ${sendMaxBytes} bytes per request are allowed (SEND_MAX_BYTES): send less data or fewer notifications per request`,
      );
    }
    return inputs;
  }
}

function invalid(details: string[]): HeraldError {
  return new HeraldError(ErrorCode.InvalidPayload, 'Invalid payload', { details });
}
