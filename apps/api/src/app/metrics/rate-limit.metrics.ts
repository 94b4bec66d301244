import { Counter, type Registry } from 'prom-client';

const NAME = 'herald_http_rate_limited_total';

/**
 * The counter of HTTP 429s. Looked up before it is created: Nest may build a middleware
 * class twice (as a provider and for `consumer.apply`), and one registry refuses a second
 * metric of the same name.
 */
export function httpRateLimitedCounter(registry: Registry): Counter {
  const existing = registry.getSingleMetric(NAME);
  if (existing) return existing as Counter;
  return new Counter({
    name: NAME,
    help: 'HTTP requests refused with 429 by the per-IP rate limit',
    registers: [registry],
  });
}
