import { type EventLoopDelaySampler, LoadShedder } from './load-shedder';

/** A sampler that reports the delays it is given, one window per `evaluate`. */
class ScriptedSampler implements EventLoopDelaySampler {
  readonly windows: number[] = [];
  reads = 0;

  takeMeanDelayMs(): number {
    this.reads += 1;
    return this.windows.shift() ?? 0;
  }
}

const idle = () => new ScriptedSampler();

describe('LoadShedder: publishes in flight', () => {
  it('admits up to the bound, sheds the next one as in_flight, and admits again once one is released', () => {
    const shedder = new LoadShedder(
      { maxInFlight: 3, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
      idle(),
    );
    expect([shedder.tryAdmit(), shedder.tryAdmit(), shedder.tryAdmit()]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(shedder.tryAdmit()).toBe('in_flight');
    expect(shedder.tryAdmit()).toBe('in_flight');
    expect(shedder.inFlightCount).toBe(3);

    shedder.release();
    expect(shedder.tryAdmit()).toBeUndefined();
    expect(shedder.tryAdmit()).toBe('in_flight');
  });

  it('counts only admitted publishes: a shed one holds nothing to release', () => {
    const shedder = new LoadShedder(
      { maxInFlight: 1, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
      idle(),
    );
    shedder.tryAdmit();
    for (let i = 0; i < 10; i++) expect(shedder.tryAdmit()).toBe('in_flight');
    shedder.release();
    expect(shedder.inFlightCount).toBe(0);
  });

  it('never counts below zero, whatever is released', () => {
    const shedder = new LoadShedder(
      { maxInFlight: 1, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
      idle(),
    );
    shedder.release();
    shedder.release();
    expect(shedder.inFlightCount).toBe(0);
    expect(shedder.tryAdmit()).toBeUndefined();
    expect(shedder.tryAdmit()).toBe('in_flight');
  });

  it('is unbounded with PUBLISH_MAX_IN_FLIGHT=0', () => {
    const shedder = new LoadShedder(
      { maxInFlight: 0, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
      idle(),
    );
    const refused = Array.from({ length: 10_000 }, () => shedder.tryAdmit()).filter(Boolean);
    expect(refused).toEqual([]);
    expect(shedder.inFlightCount).toBe(10_000);
  });
});

describe('LoadShedder: event-loop delay, decided once per window', () => {
  it('sheds as event_loop_delay for the window after one whose mean delay is over the bound, then recovers', () => {
    const sampler = new ScriptedSampler();
    const shedder = new LoadShedder(
      { maxInFlight: 0, maxEventLoopDelayMs: 50, maxEventLoopUtilization: 0 },
      sampler,
    );
    sampler.windows.push(12, 50, 51, 3);

    shedder.evaluate(); // 12 ms
    expect(shedder.tryAdmit()).toBeUndefined();
    shedder.evaluate(); // 50 ms: at the bound is not over it
    expect(shedder.tryAdmit()).toBeUndefined();
    shedder.evaluate(); // 51 ms
    expect(shedder.eventLoopDelayMs).toBe(51);
    expect(shedder.tryAdmit()).toBe('event_loop_delay');
    expect(shedder.tryAdmit()).toBe('event_loop_delay');
    shedder.evaluate(); // 3 ms
    expect(shedder.tryAdmit()).toBeUndefined();
  });

  it('reads the sampler only when evaluated: admitting is a counter and a flag', () => {
    const sampler = new ScriptedSampler();
    const shedder = new LoadShedder(
      { maxInFlight: 10, maxEventLoopDelayMs: 50, maxEventLoopUtilization: 0 },
      sampler,
    );
    for (let i = 0; i < 5; i++) shedder.tryAdmit();
    expect(sampler.reads).toBe(0);
    shedder.evaluate();
    expect(sampler.reads).toBe(1);
  });

  it('neither reads the sampler nor sheds for delay with PUBLISH_MAX_EVENT_LOOP_DELAY_MS=0', () => {
    const sampler = new ScriptedSampler();
    sampler.windows.push(10_000);
    const shedder = new LoadShedder(
      { maxInFlight: 0, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 },
      sampler,
    );
    shedder.evaluate();
    expect(sampler.reads).toBe(0);
    expect(shedder.tryAdmit()).toBeUndefined();
  });

  it('names the late loop first when both bounds are passed, and admits nothing into it', () => {
    const sampler = new ScriptedSampler();
    sampler.windows.push(500);
    const shedder = new LoadShedder(
      { maxInFlight: 1, maxEventLoopDelayMs: 100, maxEventLoopUtilization: 0 },
      sampler,
    );
    shedder.tryAdmit();
    shedder.evaluate();
    expect(shedder.tryAdmit()).toBe('event_loop_delay');
    shedder.release();
    expect(shedder.tryAdmit()).toBe('event_loop_delay');
    expect(shedder.inFlightCount).toBe(0);
  });
});

describe('LoadShedder: event-loop utilization', () => {
  it('sheds a share of publishes as event_loop_utilization once the thread stays saturated', () => {
    let i = 0;
    const evenly = () => ((i++ % 10) + 0.5) / 10;
    const shedder = new LoadShedder(
      { maxInFlight: 0, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0.9 },
      idle(),
      evenly,
    );
    for (let w = 0; w < 7; w++) shedder.observeUtilization(1);
    expect(shedder.utilizationShedShare).toBeCloseTo(0.3);
    const outcomes = Array.from({ length: 10 }, () => shedder.tryAdmit());
    expect(outcomes.filter((o) => o === 'event_loop_utilization')).toHaveLength(3);
    expect(shedder.inFlightCount).toBe(7);
  });
});
