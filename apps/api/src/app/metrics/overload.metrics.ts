import { Counter, Gauge, type Registry } from 'prom-client';

const SHED = 'herald_publish_shed_total';
const IN_FLIGHT = 'herald_publish_in_flight';

/**
 * The counter of publishes refused with 503 OVERLOADED, by reason (`in_flight`,
 * `event_loop_delay`). Every reason starts at 0, so `rate()` works before the first shed.
 * Looked up before it is created, as one registry refuses a second metric of a name.
 */
export function publishShedCounter(
  registry: Registry,
  reasons: readonly string[],
): Counter<'reason'> {
  const existing = registry.getSingleMetric(SHED);
  if (existing) return existing as Counter<'reason'>;
  const counter = new Counter({
    name: SHED,
    help: 'Publish requests refused with 503 OVERLOADED by the load shedder, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  for (const reason of reasons) counter.inc({ reason }, 0);
  return counter;
}

/** A gauge of the publishes being handled, read from `count` at each scrape. */
export function publishInFlightGauge(registry: Registry, count: () => number): Gauge {
  const existing = registry.getSingleMetric(IN_FLIGHT);
  if (existing) return existing as Gauge;
  return new Gauge({
    name: IN_FLIGHT,
    help: 'Publish requests received and not yet answered (bounded by PUBLISH_MAX_IN_FLIGHT)',
    registers: [registry],
    collect() {
      this.set(count());
    },
  });
}
