import { Inject, Injectable } from '@nestjs/common';
import type { EscalationState } from '@herald/ws-contracts';
import { EscalationRepository } from './escalation.repository';

/**
 * The escalations of a notification for its status (`escalations` of
 * `GET /api/notifications/:id/status`): one entry per scheduled channel, `[]` when none.
 */
@Injectable()
export class EscalationStatusReader {
  constructor(@Inject(EscalationRepository) private readonly repository: EscalationRepository) {}

  escalationsOf(notificationId: string): Promise<EscalationState[]> {
    return this.repository.statesOf(notificationId);
  }
}
