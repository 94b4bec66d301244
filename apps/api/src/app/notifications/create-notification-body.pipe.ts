import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { ZodValidationPipe } from '@herald/realtime';
import { buildCreateNotificationBodySchema } from '@herald/ws-contracts';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** A validated send request: one `userId` or a list of `userIds`, and the content. */
export type CreateNotificationInput = z.output<
  ReturnType<typeof buildCreateNotificationBodySchema>
>;

/**
 * Validates the body of a send (`POST /api/notifications` and the demo's twin) against the
 * contract, with the configured MAX_RECIPIENTS, so both endpoints accept exactly the same.
 */
@Injectable()
export class CreateNotificationBodyPipe implements PipeTransform<unknown, CreateNotificationInput> {
  private readonly pipe: ZodValidationPipe<ReturnType<typeof buildCreateNotificationBodySchema>>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.pipe = new ZodValidationPipe(
      buildCreateNotificationBodySchema({ maxRecipients: config.limits.maxRecipients }),
    );
  }

  transform(body: unknown): CreateNotificationInput {
    return this.pipe.transform(body);
  }
}
