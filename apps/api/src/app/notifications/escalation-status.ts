import type { NotificationStatus } from '@herald/ws-contracts';

/** One escalation of a notification, as `GET /api/notifications/:id/status` lists it. */
export type EscalationStatus = NotificationStatus['escalations'][number];

/**
 * Where the status endpoint reads a notification's escalations from: NotificationsModule
 * binds the escalation schedule's reader to ESCALATION_STATUS_READER; a module built
 * without it (unit tests) lists none.
 */
export interface EscalationStatusReader {
  escalationsOf(notificationId: string): Promise<EscalationStatus[]>;
}

export const ESCALATION_STATUS_READER = Symbol('ESCALATION_STATUS_READER');

/** The reader when no escalation channel is wired: nothing was ever escalated. */
export const NO_ESCALATIONS: EscalationStatusReader = {
  escalationsOf: async () => [],
};
