import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Histogram, LabelValues, Registry } from 'prom-client';
import { createHttpDurationHistogram, METRICS_REGISTRY } from './metrics.registry';

type Label = 'method' | 'route' | 'status';

/**
 * Times every HTTP request. The route label is the matched route pattern
 * (`/api/notifications/:id`), never the raw URL, so ids cannot explode cardinality.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration: Histogram<Label>;
  /**
   * The histogram child of each (method, route, status): prom-client otherwise hashes the
   * label object on every observation. Routes are patterns, so this stays small.
   */
  private readonly children = new Map<string, { observe(seconds: number): void }>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = createHttpDurationHistogram(registry);
  }

  use(req: Request, res: Response, next: NextFunction) {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
      this.child({ method: req.method, route, status: String(res.statusCode) }).observe(seconds);
    });
    next();
  }

  private child(labels: LabelValues<Label> & Record<Label, string>) {
    const key = `${labels.method} ${labels.status} ${labels.route}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.duration.labels(labels);
      this.children.set(key, child);
    }
    return child;
  }
}
