import type { ConnectionStatus, RealtimeClient } from '../index';

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (liveness bound only). */
export async function waitFor<T>(
  check: () => T,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function waitForStatus(
  client: RealtimeClient,
  status: ConnectionStatus,
  timeoutMs = 5_000,
): Promise<unknown> {
  return waitFor(
    () => client.getState().status === status,
    timeoutMs,
    `status ${status} (now ${client.getState().status})`,
  );
}
