import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics.registry';

/**
 * Metrics of the delivery path: how long notifications take to reach a device, and the
 * work that failed after a commit (the request still succeeded; devices catch up on
 * their next resync).
 */
@Injectable()
export class DeliveryMetrics {
  /** Creation to the first receipt from any device of the user. */
  readonly latency: Histogram;
  /** Pushes or count reads that failed after their change was committed, by step. */
  readonly postCommitFailures: Counter<'step'>;
  /** Rows the sweeper deleted, by reason (`expired`, `retention`, `idempotency_keys`). */
  readonly swept: Counter<'reason'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.latency = metric(
      registry,
      'herald_delivery_latency_seconds',
      () =>
        new Histogram({
          name: 'herald_delivery_latency_seconds',
          help: 'Time from a notification being stored to the first receipt from a device of its user',
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
          registers: [registry],
        }),
    );
    this.postCommitFailures = metric(
      registry,
      'herald_post_commit_failures_total',
      () =>
        new Counter({
          name: 'herald_post_commit_failures_total',
          help: 'Pushes and unread-count reads that failed after their change was committed',
          labelNames: ['step'] as const,
          registers: [registry],
        }),
    );
    this.swept = metric(
      registry,
      'herald_swept_rows_total',
      () =>
        new Counter({
          name: 'herald_swept_rows_total',
          help: 'Rows deleted by the sweeper, by reason',
          labelNames: ['reason'] as const,
          registers: [registry],
        }),
    );
  }
}

/** One registry refuses a second metric of a name: reuse it when it already exists. */
function metric<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
