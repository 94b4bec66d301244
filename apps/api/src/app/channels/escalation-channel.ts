import type { EscalationChannel, Notification } from '@herald/ws-contracts';
import type { UserProfile } from '../users/users.repository';

/** One escalation to send: its id (the webhook's `webhook-id`), the notification, its user. */
export interface EscalationMessage {
  escalationId: string;
  notification: Notification;
  user: UserProfile;
}

/**
 * What one attempt came to. `failed` is retried on the schedule (a later Retry-After
 * wins); `skipped` is final (nothing to send to, e.g. no address).
 */
export type SendOutcome =
  | { status: 'sent' }
  | { status: 'failed'; error: string; retryAfterSeconds?: number }
  | { status: 'skipped'; reason: string };

/** A configured way to reach a user outside the sockets. */
export interface EscalationSender {
  readonly channel: EscalationChannel;
  send(message: EscalationMessage): Promise<SendOutcome>;
  close?(): Promise<void> | void;
}

/** Injection token: the configured senders (none when no channel is configured). */
export const ESCALATION_SENDERS = Symbol('ESCALATION_SENDERS');
