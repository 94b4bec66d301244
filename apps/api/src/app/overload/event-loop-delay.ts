import { performance } from 'node:perf_hooks';
import type { EventLoopDelaySampler } from './load-shedder';

/**
 * The event-loop delay, from a timer of `resolutionMs`: each firing records how late it
 * came (the interval since the previous firing, less the resolution), and a window's mean is
 * taken and cleared by `takeMeanDelayMs`. An idle loop reads about 0.
 *
 * A timer of its own rather than `perf_hooks.monitorEventLoopDelay`: clearing that
 * histogram at the end of a window also forgets when it last fired, so a stall that ended
 * just as the window closed (its late firing still pending behind the window's own timer)
 * was never recorded at all. Here the stall's firing lands in the next window.
 */
export class TimerDelaySampler implements EventLoopDelaySampler {
  private timer?: NodeJS.Timeout;
  private lastFiredAt = 0;
  private totalDelayMs = 0;
  private samples = 0;

  constructor(
    private readonly resolutionMs = 10,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    if (this.timer) return;
    this.lastFiredAt = this.now();
    this.timer = setInterval(() => this.record(), this.resolutionMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  takeMeanDelayMs(): number {
    // A window without a sample (only before `start`) reads as idle: shedding needs evidence.
    const mean = this.samples > 0 ? this.totalDelayMs / this.samples : 0;
    this.totalDelayMs = 0;
    this.samples = 0;
    return mean;
  }

  private record(): void {
    const now = this.now();
    this.totalDelayMs += Math.max(0, now - this.lastFiredAt - this.resolutionMs);
    this.samples += 1;
    this.lastFiredAt = now;
  }
}
