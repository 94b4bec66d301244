// Which per-user deliveries a broadcast could have held up. A broadcast "goes out" from its
// POST until the last socket has it; a per-user delivery is "during" it when it was in
// flight (from its scheduled publish time to its arrival) at any moment of that window.
// Everything else the same step delivered is "outside". Times are process.hrtime µs.

/**
 * The window of each broadcast: `sentUs` (when its POST left) to the slowest socket's
 * arrival (`sentUs + timeToLastUs`). A broadcast nobody received has no window.
 * @param {Array<{ sentUs: number, timeToLastUs: number | null }>} broadcasts
 * @returns {Array<[number, number]>}
 */
export function broadcastWindows(broadcasts) {
  return broadcasts
    .filter((b) => typeof b.timeToLastUs === 'number')
    .map((b) => [b.sentUs, b.sentUs + b.timeToLastUs]);
}

/**
 * Splits per-user deliveries, each `[scheduledUs, latencyUs]`, into the latencies (ms) of
 * those in flight during any window and of the rest.
 * @param {Array<[number, number]>} deliveries
 * @param {Array<[number, number]>} windows
 */
export function splitByWindows(deliveries, windows) {
  const during = [];
  const outside = [];
  for (const [scheduledUs, latencyUs] of deliveries) {
    const arrivedUs = scheduledUs + latencyUs;
    const overlaps = windows.some(([start, end]) => scheduledUs <= end && arrivedUs >= start);
    (overlaps ? during : outside).push(latencyUs / 1000);
  }
  return { during, outside };
}
