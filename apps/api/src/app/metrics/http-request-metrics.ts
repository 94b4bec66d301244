import { Inject, Injectable } from '@nestjs/common';
import type { Histogram, Registry } from 'prom-client';
import { createHttpDurationHistogram, METRICS_REGISTRY } from './metrics.registry';

/**
 * `http_request_duration_seconds`, shared by every way a request is answered. The route
 * label is the matched route pattern (`/api/notifications/:id`), never the raw URL, so ids
 * cannot explode cardinality.
 */
@Injectable()
export class HttpRequestMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  /**
   * The histogram child of each (method, route, status): prom-client otherwise hashes the
   * label object on every observation. Routes are patterns, so this stays small.
   */
  private readonly children = new Map<string, { observe(seconds: number): void }>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = createHttpDurationHistogram(registry);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.duration.labels({ method, route, status: String(status) });
      this.children.set(key, child);
    }
    child.observe(seconds);
  }
}
