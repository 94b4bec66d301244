// Small statistics helpers shared by the driver and the report; percentiles are the
// harness's (tools/testing), so the soak and the benchmark compute them the same way.
export { percentile, summarize } from '../../testing/index.mjs';

/** Median with min and max of the finite numbers among `values` (null when none). */
export function spread(values) {
  const finite = values
    .filter((v) => typeof v === 'number' && Number.isFinite(v))
    .sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length >> 1;
  const median = finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
  return { median, min: finite[0], max: finite[finite.length - 1], n: finite.length };
}

export const round = (value, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? null
    : Number(value.toFixed(digits));
