import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Windows in a row over the bound before the first publish is shed: a burst is not overload. */
const SUSTAINED_WINDOWS = 5;
/** How much more of the traffic is shed after a saturated window while shedding, in %. */
const STEP_UP = 10;
/** How much less after a window under the bound: as fast as it was taken, so a process that
 * is no longer saturated is back to refusing nothing within a second. */
const STEP_DOWN = 10;
/** Some publishes always get through, so the process keeps serving while it sheds (in %). */
const MAX_SHARE = 95;

/**
 * Sheds a share of publishes while the main thread stays saturated — the overload the
 * other two signals cannot see: cheap publishes (typed events) that each finish at once,
 * so few are ever in flight, while the loop turns fast enough to look on time. The backlog
 * then sits in socket buffers and in the callers' queues, and everything accepted is late.
 *
 * Each window (`observe`) reports the event-loop utilization (the share of time the main
 * thread was busy). Past PUBLISH_MAX_EVENT_LOOP_UTILIZATION for SUSTAINED_WINDOWS in a row,
 * a share of publishes is refused; the share grows while the thread stays saturated and
 * shrinks once it is not, so the process settles just under saturation, refusing roughly
 * the excess, with nothing queued behind what it accepted. A controller rather than an
 * on/off threshold: on/off alternates between refusing everything and queueing everything.
 */
export class UtilizationThrottle {
  private saturatedWindows = 0;
  /** In whole percent, so that stepping down lands on 0 exactly. */
  private shedPercent = 0;

  constructor(
    private readonly maxUtilization: number,
    private readonly random: () => number = Math.random,
  ) {}

  get enabled(): boolean {
    return this.maxUtilization > 0;
  }

  /** The share of publishes being refused now (0–0.95). */
  get share(): number {
    return this.shedPercent / 100;
  }

  /**
   * One window's utilization of the main thread, 0–1. A window spent writing a large
   * broadcast (`broadcasting`) is bounded work that yields to other traffic between slices:
   * it neither counts towards overload nor ends it, and the share stays as it was.
   */
  observe(utilization: number, broadcasting = false): void {
    if (!this.enabled || broadcasting) return;
    if (utilization > this.maxUtilization) {
      this.saturatedWindows += 1;
      if (this.shedPercent > 0 || this.saturatedWindows >= SUSTAINED_WINDOWS)
        this.shedPercent = Math.min(MAX_SHARE, this.shedPercent + STEP_UP);
    } else {
      this.saturatedWindows = 0;
      this.shedPercent = Math.max(0, this.shedPercent - STEP_DOWN);
    }
  }

  /** Whether this publish is one of the share refused. */
  shouldShed(): boolean {
    return this.shedPercent > 0 && this.random() * 100 < this.shedPercent;
  }
}

/** The main thread's event-loop utilization, one window at a time (perf_hooks). */
export class EventLoopUtilizationSampler {
  private last: EventLoopUtilization = performance.eventLoopUtilization();

  /** The utilization since the previous call (0–1). */
  take(): number {
    const now = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(now, this.last);
    this.last = now;
    return window.utilization;
  }
}
