/** A Retry-After longer than this is read as this: a receiver cannot park an escalation for good. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

/**
 * Seconds until the next attempt after `failedAttempts` failed ones, or null when the
 * schedule is used up (the escalation is then recorded as failed). `schedule` holds the
 * delay before each retry (WEBHOOK_RETRY_SECONDS), so there are `schedule.length + 1`
 * attempts in all. A `Retry-After` from the receiver is honoured when it asks for longer.
 */
export function nextRetryDelaySeconds(
  failedAttempts: number,
  schedule: readonly number[],
  retryAfterSeconds?: number,
): number | null {
  if (failedAttempts < 1 || failedAttempts > schedule.length) return null;
  const planned = schedule[failedAttempts - 1] as number;
  const asked = Math.min(retryAfterSeconds ?? 0, MAX_RETRY_AFTER_SECONDS);
  return Math.max(planned, asked);
}
