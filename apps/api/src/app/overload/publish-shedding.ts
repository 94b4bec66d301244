import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Registry } from 'prom-client';
import { broadcastSlicesWritten } from '@herald/realtime';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { httpErrorBody } from '../http/http-exception.filter';
import { METRICS_REGISTRY } from '../metrics/metrics.registry';
import { publishInFlightGauge, publishShedCounter } from '../metrics/overload.metrics';
import { TimerDelaySampler } from './event-loop-delay';
import { LoadShedder, SHED_REASONS, type ShedReason } from './load-shedder';
import { isPublishRequest } from './publish-routes';
import { EventLoopUtilizationSampler } from './utilization-throttle';

/** How long one event-loop window lasts: the shedder reacts within it and recovers after it. */
export const EVENT_LOOP_WINDOW_MS = 500;
/** How long one utilization window lasts: the throttle adjusts its share once per window. */
export const UTILIZATION_WINDOW_MS = 100;
/**
 * Event-loop windows in a row without a publish after which the load signals stop being
 * sampled, until the next publish: they only decide about publishes, and an idle process
 * should not wake a hundred times a second to measure nothing.
 */
export const QUIET_WINDOWS_BEFORE_PAUSE = 2;
/** What an overloaded process asks a publisher to wait before it retries. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** The one answer to a shed publish, serialized once: refusing must cost next to nothing. */
const OVERLOADED_BODY = JSON.stringify(
  httpErrorBody(
    new HeraldError(
      ErrorCode.Overloaded,
      'The server is overloaded; retry after Retry-After seconds',
    ),
  ),
);
const OVERLOADED_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(OVERLOADED_BODY)),
  'retry-after': String(OVERLOAD_RETRY_AFTER_SECONDS),
};

/**
 * Load shedding of the publish endpoints (see publish-routes.ts). Past PUBLISH_MAX_IN_FLIGHT
 * publishes being handled, or while the mean event-loop delay of the last window is over
 * PUBLISH_MAX_EVENT_LOOP_DELAY_MS, a publish is answered 503 OVERLOADED with Retry-After
 * before its body is read, and counted in `herald_publish_shed_total{reason}`. What is
 * accepted is then served within the SLO instead of everything being served late, and the
 * backend learns to back off.
 *
 * `handle` is a plain Express middleware that createApp installs ahead of the body parser:
 * Nest middleware would only run after the body has been read and parsed.
 */
@Injectable()
export class PublishShedding implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly shedder: LoadShedder;
  private readonly sampler = new TimerDelaySampler();
  private readonly watchEventLoop: boolean;
  /** The counter's child of each reason, so a refusal does not hash a label object. */
  private readonly shed: Readonly<Record<ShedReason, { inc(): void }>>;
  private readonly watchUtilization: boolean;
  private readonly utilization = new EventLoopUtilizationSampler();
  private timer?: NodeJS.Timeout;
  private utilizationTimer?: NodeJS.Timeout;
  /**
   * Whether publishes start the sampling: once the application is built (its start-up work
   * is not load), when an event-loop signal is watched at all.
   */
  private canSample = false;
  private sampling = false;
  private publishedInWindow = false;
  private quietWindows = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(METRICS_REGISTRY) registry: Registry) {
    this.shedder = new LoadShedder(config.publishShedding, this.sampler);
    const counter = publishShedCounter(registry, SHED_REASONS);
    this.shed = {
      in_flight: counter.labels('in_flight'),
      event_loop_delay: counter.labels('event_loop_delay'),
      event_loop_utilization: counter.labels('event_loop_utilization'),
    };
    publishInFlightGauge(registry, () => this.shedder.inFlightCount);
    this.watchEventLoop = config.publishShedding.maxEventLoopDelayMs > 0;
    this.watchUtilization = config.publishShedding.maxEventLoopUtilization > 0;
  }

  /** The event-loop signals are sampled from the first publish after the application is built. */
  onApplicationBootstrap() {
    this.canSample = this.watchEventLoop || this.watchUtilization;
  }

  onApplicationShutdown() {
    this.canSample = false;
    this.stopSampling();
  }

  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    if (!isPublishRequest(req.method, req.path)) return next();
    if (this.admit(res)) next();
  };

  /**
   * Admits one publish (true; released when `res` closes) or answers it 503 OVERLOADED
   * (false). For the Express middleware above and for the service fast lane, which
   * answers publishes in front of Express.
   */
  admit(res: ServerResponse): boolean {
    this.publishedInWindow = true;
    if (this.canSample && !this.sampling) this.startSampling();
    const reason = this.shedder.tryAdmit();
    if (reason === undefined) {
      // `close` follows the end of every response, and an abandoned request's too, once.
      // `on`, not `once`: a `once` wrapper on a request's objects keeps them alive past
      // their end (see readBody in the service fast lane).
      res.on('close', this.release);
      return true;
    }
    this.refuse(res, reason);
    return false;
  }

  private readonly release = () => this.shedder.release();

  /**
   * Samples the event-loop delay (every 10 ms) and utilization (every 100 ms) while publishes
   * arrive. Each starts with a fresh window: the quiet time before it is not load.
   */
  private startSampling(): void {
    this.sampling = true;
    this.quietWindows = 0;
    if (this.watchUtilization) {
      this.utilization.take();
      let slices = broadcastSlicesWritten();
      this.utilizationTimer = setInterval(() => {
        const written = broadcastSlicesWritten();
        this.shedder.observeUtilization(this.utilization.take(), written !== slices);
        slices = written;
      }, UTILIZATION_WINDOW_MS);
      this.utilizationTimer.unref();
    }
    if (this.watchEventLoop) this.sampler.start();
    this.timer = setInterval(() => this.closeWindow(), EVENT_LOOP_WINDOW_MS);
    this.timer.unref();
  }

  /**
   * Ends an event-loop window: its delay decides about the next one. Once publishes have
   * stopped for QUIET_WINDOWS_BEFORE_PAUSE windows and nothing is being shed, sampling
   * pauses until the next publish (a process shedding keeps watching, to see it recover).
   */
  private closeWindow(): void {
    this.shedder.evaluate();
    if (this.publishedInWindow) this.quietWindows = 0;
    else if (++this.quietWindows >= QUIET_WINDOWS_BEFORE_PAUSE && !this.shedder.isShedding)
      this.stopSampling();
    this.publishedInWindow = false;
  }

  private stopSampling(): void {
    clearInterval(this.timer);
    clearInterval(this.utilizationTimer);
    this.timer = undefined;
    this.utilizationTimer = undefined;
    this.sampler.stop();
    this.sampling = false;
  }

  private refuse(res: ServerResponse, reason: ShedReason) {
    this.shed[reason].inc();
    // The unread body is drained and dropped by Node, and the connection stays usable.
    res.writeHead(503, OVERLOADED_HEADERS).end(OVERLOADED_BODY);
  }
}
