import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Histogram, Registry } from 'prom-client';
import { createHttpDurationHistogram, METRICS_REGISTRY } from './metrics.registry';

/**
 * Times every HTTP request. The route label is the matched route pattern
 * (`/api/notifications/:id`), never the raw URL, so ids cannot explode cardinality.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.duration = createHttpDurationHistogram(registry);
  }

  use(req: Request, res: Response, next: NextFunction) {
    const stop = this.duration.startTimer();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      stop({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status: String(res.statusCode) });
    });
    next();
  }
}
