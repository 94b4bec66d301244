import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { ZodValidationPipe } from '@herald/realtime';
import { buildCreateNotificationBodySchema, ErrorCode, HeraldError } from '@herald/ws-contracts';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** A validated send request: one `userId` or a list of `userIds`, and the content. */
export type CreateNotificationInput = z.output<
  ReturnType<typeof buildCreateNotificationBodySchema>
>;

/**
 * Validates the body of a send (`POST /api/notifications` and the demo's twin) against the
 * contract, with the configured MAX_RECIPIENTS, so both endpoints accept exactly the same.
 * It also bounds what one send may write, since the content is stored once per recipient:
 * `data` up to NOTIFICATION_DATA_MAX_BYTES, and recipients × content up to SEND_MAX_BYTES
 * (otherwise 900 KB of `data` to 1,000 users would write 900 MB).
 */
@Injectable()
export class CreateNotificationBodyPipe implements PipeTransform<unknown, CreateNotificationInput> {
  private readonly pipe: ZodValidationPipe<ReturnType<typeof buildCreateNotificationBodySchema>>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.pipe = new ZodValidationPipe(
      buildCreateNotificationBodySchema({ maxRecipients: config.limits.maxRecipients }),
    );
  }

  transform(body: unknown): CreateNotificationInput {
    refuseProtoKey(body, 'data');
    const input = this.pipe.transform(body);
    const { notificationDataMaxBytes, sendMaxBytes } = this.config.limits;
    const { dataBytes, contentBytes, recipients } = sendSize(input);
    if (dataBytes > notificationDataMaxBytes) {
      throw new HeraldError(
        ErrorCode.PayloadTooLarge,
        `data is ${dataBytes} bytes as JSON; at most ${notificationDataMaxBytes} bytes are allowed (NOTIFICATION_DATA_MAX_BYTES)`,
      );
    }
    if (recipients * contentBytes > sendMaxBytes) {
      throw new HeraldError(
        ErrorCode.PayloadTooLarge,
        `this send would write ${recipients} × ${contentBytes} bytes; at most ${sendMaxBytes} bytes per request are allowed (SEND_MAX_BYTES): send less data or fewer recipients per request`,
      );
    }
    return input;
  }
}

/**
 * What one send writes: its `data` as JSON, its content (stored once per recipient) and
 * its distinct recipients.
 */
export function sendSize(input: CreateNotificationInput): {
  dataBytes: number;
  contentBytes: number;
  recipients: number;
} {
  const dataBytes = input.data ? Buffer.byteLength(JSON.stringify(input.data)) : 0;
  const contentBytes =
    dataBytes +
    Buffer.byteLength(input.title) +
    Buffer.byteLength(input.message) +
    Buffer.byteLength(input.type ?? '');
  const recipients = input.userIds ? new Set(input.userIds).size : 1;
  return { dataBytes, contentBytes, recipients };
}

/**
 * A `data` object with a key named `__proto__` is refused (400) rather than stored without
 * it: the contract's schema leaves that key out of what it accepts (assigning it would set
 * the prototype of the copy), and a send must not be changed silently. Keys nested deeper
 * are kept as sent. `at` names the field in the answer (`notifications[3].data`).
 */
export function refuseProtoKey(body: unknown, at: string): void {
  if (typeof body !== 'object' || body === null) return;
  const data = (body as { data?: unknown }).data;
  if (typeof data === 'object' && data !== null && Object.hasOwn(data, '__proto__')) {
    throw new HeraldError(ErrorCode.InvalidPayload, 'Invalid payload', {
      details: [`${at}: must not have a key named "__proto__"`],
    });
  }
}
