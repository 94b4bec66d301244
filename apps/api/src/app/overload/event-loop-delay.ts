import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { EventLoopDelaySampler } from './load-shedder';

/**
 * The event-loop delay from perf_hooks: a timer of `resolutionMs` whose lateness libuv
 * records in a histogram. Each sample is the whole interval between two firings, so the
 * resolution itself is taken off the mean (an idle loop reads about 0).
 */
export class PerfHooksDelaySampler implements EventLoopDelaySampler {
  private readonly histogram: IntervalHistogram;

  constructor(private readonly resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  }

  start(): void {
    this.histogram.reset();
    this.histogram.enable();
  }

  stop(): void {
    this.histogram.disable();
  }

  takeMeanDelayMs(): number {
    // A window without a sample (only before `start`) reads as idle: shedding needs evidence.
    const mean = this.histogram.count > 0 ? this.histogram.mean / 1e6 : this.resolutionMs;
    this.histogram.reset();
    return Math.max(0, mean - this.resolutionMs);
  }
}
