// What one call to store notifications asks for, shared by the repository that stores it and
// the insert hooks that commit with it (kept apart so that neither has to import the other).

/** What a notification says; every recipient of one send gets the same. */
export interface NotificationContent {
  title: string;
  message: string;
  /** `info` when absent. */
  type?: string;
  data?: Record<string, unknown> | null;
  /** ISO time after which the notification leaves every inbox; none when absent. */
  expiresAt?: string;
}

/** How a send asks to be escalated when no device received it (`POST /api/notifications`). */
export interface EscalationRequest {
  /** `false`: never. */
  escalate?: boolean;
  /** Instead of ESCALATION_DELAY_SECONDS. */
  escalateAfterSeconds?: number;
}

/** One send: the same content for each of `userIds` (distinct). */
export interface NotificationSend {
  userIds: readonly string[];
  content: NotificationContent;
  escalation?: EscalationRequest;
}
