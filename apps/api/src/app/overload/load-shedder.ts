import { UtilizationThrottle } from './utilization-throttle';

/** Why a publish was refused: the label of `herald_publish_shed_total`. */
export type ShedReason = 'in_flight' | 'event_loop_delay' | 'event_loop_utilization';

export const SHED_REASONS: readonly ShedReason[] = [
  'in_flight',
  'event_loop_delay',
  'event_loop_utilization',
];

export interface LoadBounds {
  /** Publishes being handled at once; past it new ones are shed. 0: unbounded. */
  maxInFlight: number;
  /** Mean event-loop delay of the last window, in ms; past it publishes are shed. 0: not watched. */
  maxEventLoopDelayMs: number;
  /**
   * Event-loop utilization (0–1) past which, sustained, a share of publishes is shed (see
   * UtilizationThrottle). 0: not watched.
   */
  maxEventLoopUtilization: number;
}

/** The event-loop delay, one window at a time. */
export interface EventLoopDelaySampler {
  /** The mean delay (ms) since the previous call; the next window starts now. */
  takeMeanDelayMs(): number;
}

/**
 * Decides, in O(1) and without I/O, whether one more publish may start. Three signals, as
 * in @fastify/under-pressure: the publishes already in flight (counted here by
 * `tryAdmit`/`release`), the event-loop delay, read from the sampler once per window by
 * `evaluate`, and the event-loop utilization, reported once per (shorter) window by
 * `observeUtilization` — timers' jobs, so that an admission never computes anything.
 */
export class LoadShedder {
  private inFlight = 0;
  private loopDelayMs = 0;
  private loopOverloaded = false;

  private readonly throttle: UtilizationThrottle;

  constructor(
    private readonly bounds: LoadBounds,
    private readonly sampler: EventLoopDelaySampler,
    random: () => number = Math.random,
  ) {
    this.throttle = new UtilizationThrottle(bounds.maxEventLoopUtilization, random);
  }

  /**
   * Closes a utilization window (see UtilizationThrottle): `utilization` is 0–1;
   * `broadcasting` when a large broadcast was being written during it.
   */
  observeUtilization(utilization: number, broadcasting = false): void {
    this.throttle.observe(utilization, broadcasting);
  }

  /** The share of publishes the utilization signal refuses now (0–0.95). */
  get utilizationShedShare(): number {
    return this.throttle.share;
  }

  /** Closes the current event-loop window and decides from it until the next call. */
  evaluate(): void {
    if (this.bounds.maxEventLoopDelayMs <= 0) return;
    this.loopDelayMs = this.sampler.takeMeanDelayMs();
    this.loopOverloaded = this.loopDelayMs > this.bounds.maxEventLoopDelayMs;
  }

  /**
   * Admits one publish (undefined; call `release` once its response is over) or names why
   * it is shed. A process whose loop is already late sheds first: it cannot start more work
   * without making the work it holds later still.
   */
  tryAdmit(): ShedReason | undefined {
    if (this.loopOverloaded) return 'event_loop_delay';
    if (this.throttle.shouldShed()) return 'event_loop_utilization';
    if (this.bounds.maxInFlight > 0 && this.inFlight >= this.bounds.maxInFlight) return 'in_flight';
    this.inFlight += 1;
    return undefined;
  }

  /** One admitted publish is over (answered, or its client went away). */
  release(): void {
    if (this.inFlight > 0) this.inFlight -= 1;
  }

  /** Whether an event-loop signal refuses publishes now (all of them, or a share). */
  get isShedding(): boolean {
    return this.loopOverloaded || this.throttle.share > 0;
  }

  /** Publishes admitted and not yet released. */
  get inFlightCount(): number {
    return this.inFlight;
  }

  /** The mean event-loop delay of the last window evaluated, in ms. */
  get eventLoopDelayMs(): number {
    return this.loopDelayMs;
  }
}
