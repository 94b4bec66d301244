import { Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { HttpRequestMetrics } from './http-request-metrics';

/** Times every HTTP request the framework routes, labelled with the matched route pattern. */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(@Inject(HttpRequestMetrics) private readonly metrics: HttpRequestMetrics) {}

  use(req: Request, res: Response, next: NextFunction) {
    const started = process.hrtime.bigint();
    // `on`, not `once` (a response finishes once): a `once` wrapper keeps each request
    // alive past its end (see readBody in the service fast lane).
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routePath = (req.route as { path?: string } | undefined)?.path;
      const route = routePath ? `${req.baseUrl}${routePath}` : 'unmatched';
      this.metrics.observe(req.method, route, res.statusCode, seconds);
    });
    next();
  }
}
