/**
 * Seconds a `Retry-After` header asks to wait: delta-seconds (`120`) or an HTTP date;
 * undefined when absent or unreadable. Dates in the past mean "now" (0).
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // An HTTP date starts with the day's name ("Thu, 15 Jan 2026 12:01:30 GMT").
  if (!/^[A-Za-z]{3},/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}
