import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { type Histogram, Registry } from 'prom-client';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { HttpRequestMetrics } from './http-request-metrics';

/** A request through the middleware; `finish()` ends its response as Express would. */
function request(middleware: HttpMetricsMiddleware, req: Partial<Request>, statusCode: number) {
  const res = Object.assign(new EventEmitter(), { statusCode });
  let passed = false;
  const next: NextFunction = () => {
    passed = true;
  };
  middleware.use(req as Request, res as unknown as Response, next);
  return { passed, finish: () => res.emit('finish') };
}

async function durations(registry: Registry) {
  const histogram = registry.getSingleMetric('herald_http_request_duration_seconds') as
    Histogram | undefined;
  return ((await histogram?.get())?.values ?? [])
    .filter((v) => v.metricName === 'herald_http_request_duration_seconds_count')
    .map((v) => ({ ...v.labels, count: v.value }));
}

describe('HttpMetricsMiddleware', () => {
  it('observes each request once it finishes, labelled with the matched route pattern', async () => {
    const registry = new Registry();
    const middleware = new HttpMetricsMiddleware(new HttpRequestMetrics(registry));
    const matched = request(
      middleware,
      { method: 'GET', baseUrl: '/api/notifications', route: { path: '/:id' } },
      200,
    );
    const unmatched = request(middleware, { method: 'GET', baseUrl: '' }, 404);
    expect([matched.passed, unmatched.passed]).toEqual([true, true]);
    expect(await durations(registry)).toEqual([]);

    matched.finish();
    unmatched.finish();
    expect(await durations(registry)).toEqual([
      { method: 'GET', route: '/api/notifications/:id', status: '200', count: 1 },
      { method: 'GET', route: 'unmatched', status: '404', count: 1 },
    ]);
  });

  it('listens with a plain listener, never `once` (which keeps each request alive past its end)', () => {
    const middleware = new HttpMetricsMiddleware(new HttpRequestMetrics(new Registry()));
    const once = vi.spyOn(EventEmitter.prototype, 'once');
    try {
      request(middleware, { method: 'POST', baseUrl: '' }, 201).finish();
      expect(once).not.toHaveBeenCalled();
    } finally {
      once.mockRestore();
    }
  });
});
