export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns something truthy and resolves with how long that took
 * (ms); rejects naming `what` once `timeoutMs` passed. The timeout is a liveness bound for
 * state that converges (presence, counts, a process coming up), never a timing assertion.
 */
export async function waitFor(probe, timeoutMs = 5_000, what = 'condition', intervalMs = 50) {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}
