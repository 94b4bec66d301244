/**
 * Reconnection backoff. After a deploy every client loses its socket at the same moment;
 * exponential growth plus random jitter spreads their return over time instead of
 * hammering the new process in lock-step.
 */
export interface BackoffOptions {
  /** First delay in ms (default 1 000). */
  minMs?: number;
  /** Largest delay in ms (default 15 000). */
  maxMs?: number;
  /** 0..1: each delay is randomised by ± this fraction (default 0.5). */
  jitter?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = {
  minMs: 1_000,
  maxMs: 15_000,
  jitter: 0.5,
};

export function resolveBackoff(options: BackoffOptions | undefined): Required<BackoffOptions> {
  const minMs = Math.max(0, options?.minMs ?? DEFAULT_BACKOFF.minMs);
  const maxMs = Math.max(minMs, options?.maxMs ?? DEFAULT_BACKOFF.maxMs);
  const jitter = Math.min(1, Math.max(0, options?.jitter ?? DEFAULT_BACKOFF.jitter));
  return { minMs, maxMs, jitter };
}

/** Delay before attempt number `attempt` (0-based), as Socket.IO's Manager computes it. */
export function backoffDelay(
  attempt: number,
  options: Required<BackoffOptions>,
  random: () => number = Math.random,
): number {
  const base = Math.min(options.maxMs, options.minMs * 2 ** Math.min(attempt, 30));
  const deviation = base * options.jitter * (random() * 2 - 1);
  return Math.round(Math.min(options.maxMs, Math.max(0, base + deviation)));
}
