/** Nearest-rank percentile of an unsorted array (p in 0..100); NaN when empty. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[rankOf(sorted.length, p)];
}

/** Count, p50, p95, p99 and max of an unsorted array (nulls when empty). */
export function summarize(values) {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[rankOf(sorted.length, p)];
  return {
    count: sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1],
  };
}

const rankOf = (length, p) => Math.min(length - 1, Math.max(0, Math.ceil((p / 100) * length) - 1));
