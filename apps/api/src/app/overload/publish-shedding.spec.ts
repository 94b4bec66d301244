import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';
import { Registry } from 'prom-client';
import { ErrorCode } from '@herald/ws-contracts';
import { loadConfig } from '../config/app-config';
import { PublishShedding } from './publish-shedding';

/** What the middleware did with one request. */
interface Outcome {
  passed: boolean;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Ends the response as Express would once the handler answered. */
  finish(): void;
}

function shedding(env: Record<string, string>) {
  const registry = new Registry();
  const instance = new PublishShedding(loadConfig(env), registry);
  const send = (method: string, path: string): Outcome => {
    const res = Object.assign(new EventEmitter(), {
      writeHead(status: number, headers: Record<string, string>) {
        outcome.status = status;
        outcome.headers = headers;
        return res;
      },
      end(body: string) {
        outcome.body = body;
        res.emit('close');
        return res;
      },
    });
    const outcome: Outcome = { passed: false, finish: () => res.emit('close') };
    const next: NextFunction = () => {
      outcome.passed = true;
    };
    instance.handle({ method, path } as Request, res as unknown as Response, next);
    return outcome;
  };
  const shedCount = async (reason: string) => {
    const metric = await registry.getSingleMetric('herald_publish_shed_total')?.get();
    return metric?.values.find((v) => v.labels['reason'] === reason)?.value;
  };
  return { instance, registry, send, shedCount };
}

describe('PublishShedding: the middleware ahead of the body parser', () => {
  it('answers a publish past PUBLISH_MAX_IN_FLIGHT 503 OVERLOADED with Retry-After, and counts it', async () => {
    const { send, shedCount } = shedding({ PUBLISH_MAX_IN_FLIGHT: '2' });
    const held = [send('POST', '/api/notifications'), send('POST', '/api/realtime/broadcast')];
    expect(held.map((o) => o.passed)).toEqual([true, true]);
    expect(await shedCount('in_flight')).toBe(0);

    const refused = send('POST', '/api/gamification/xp');
    expect(refused.passed).toBe(false);
    expect(refused.status).toBe(503);
    expect(refused.headers).toMatchObject({
      'retry-after': '1',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(JSON.parse(refused.body ?? '')).toEqual({
      statusCode: 503,
      message: expect.any(String),
      error: 'Service Unavailable',
      code: ErrorCode.Overloaded,
    });
    expect(Number(refused.headers?.['content-length'])).toBe(Buffer.byteLength(refused.body ?? ''));
    expect(await shedCount('in_flight')).toBe(1);
    expect(await shedCount('event_loop_delay')).toBe(0);

    held[0].finish();
    expect(send('POST', '/api/notifications').passed).toBe(true);
  });

  it('lets everything that is not a publish through, however many publishes are in flight', () => {
    const { send } = shedding({ PUBLISH_MAX_IN_FLIGHT: '1' });
    send('POST', '/api/notifications');
    expect(send('POST', '/api/notifications').passed).toBe(false);
    for (const [method, path] of [
      ['GET', '/api/health'],
      ['GET', '/api/metrics'],
      ['GET', '/api/notifications'],
      ['POST', '/api/notifications/read-all'],
      ['PUT', '/api/users/alice'],
    ])
      expect(send(method, path).passed, `${method} ${path}`).toBe(true);
  });

  it('releases on `close` with a plain listener, never `once` (which keeps requests alive)', () => {
    const { send } = shedding({ PUBLISH_MAX_IN_FLIGHT: '1' });
    const once = vi.spyOn(EventEmitter.prototype, 'once');
    try {
      const first = send('POST', '/api/notifications');
      expect(once).not.toHaveBeenCalled();
      first.finish();
      expect(send('POST', '/api/notifications').passed).toBe(true);
    } finally {
      once.mockRestore();
    }
  });

  it('reports the publishes in flight as a gauge', async () => {
    const { send, registry } = shedding({});
    const first = send('POST', '/api/notifications');
    send('POST', '/api/notifications');
    first.finish();
    const gauge = await registry.getSingleMetric('herald_publish_in_flight')?.get();
    expect(gauge?.values[0]?.value).toBe(1);
  });

  it('starts no event-loop timer when both event-loop signals are off', () => {
    const { instance, send } = shedding({
      PUBLISH_MAX_EVENT_LOOP_DELAY_MS: '0',
      PUBLISH_MAX_EVENT_LOOP_UTILIZATION: '0',
    });
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    instance.onApplicationBootstrap();
    send('POST', '/api/notifications').finish();
    expect(setIntervalSpy).not.toHaveBeenCalled();
    instance.onApplicationShutdown();
    setIntervalSpy.mockRestore();
  });
});

describe('PublishShedding: sampling the event loop while publishes arrive', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /**
   * Every utilization window reads `utilization` (fake timers run the windows back to back;
   * node:perf_hooks' `performance`, which they leave alone, is the one the sampler reads).
   */
  const mainThreadBusy = (utilization: number) =>
    vi
      .spyOn(performance, 'eventLoopUtilization')
      .mockReturnValue({ idle: 100 * (1 - utilization), active: 100 * utilization, utilization });
  afterEach(() => vi.restoreAllMocks());

  it('samples nothing until the first publish, and pauses once publishes stopped for a second', () => {
    const { instance, send } = shedding({});
    mainThreadBusy(0.1);
    instance.onApplicationBootstrap();
    try {
      expect(vi.getTimerCount()).toBe(0);
      send('POST', '/api/notifications').finish();
      // The delay sampler (10 ms), the utilization window (100 ms), the delay window (500 ms).
      expect(vi.getTimerCount()).toBe(3);
      vi.advanceTimersByTime(400);
      send('POST', '/api/notifications').finish();
      vi.advanceTimersByTime(1_000);
      expect(vi.getTimerCount()).toBe(3);
      vi.advanceTimersByTime(600);
      expect(vi.getTimerCount()).toBe(0);
      send('POST', '/api/notifications').finish();
      expect(vi.getTimerCount()).toBe(3);
    } finally {
      instance.onApplicationShutdown();
    }
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps sampling while it sheds, to see the loop recover', () => {
    const { instance, send } = shedding({ PUBLISH_MAX_EVENT_LOOP_DELAY_MS: '0' });
    instance.onApplicationBootstrap();
    try {
      send('POST', '/api/notifications').finish();
      mainThreadBusy(1);
      vi.advanceTimersByTime(5_000);
      // The utilization window (100 ms) and the delay window (500 ms), still running.
      expect(vi.getTimerCount()).toBe(2);
    } finally {
      instance.onApplicationShutdown();
    }
  });
});
