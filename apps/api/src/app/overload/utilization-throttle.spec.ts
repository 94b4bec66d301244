import { EventLoopUtilizationSampler, UtilizationThrottle } from './utilization-throttle';

/** The share of `n` publishes a throttle refuses, with evenly spread "random" numbers. */
function refusedShare(throttle: UtilizationThrottle, n = 1000): number {
  let refused = 0;
  for (let i = 0; i < n; i++) if (throttle.shouldShed()) refused += 1;
  return refused / n;
}

const evenly = () => {
  let i = 0;
  return () => ((i++ % 100) + 0.5) / 100;
};

describe('UtilizationThrottle', () => {
  it('lets a short burst of saturation pass: nothing is shed before five saturated windows', () => {
    const throttle = new UtilizationThrottle(0.9, evenly());
    for (let i = 0; i < 4; i++) throttle.observe(1);
    expect(throttle.share).toBe(0);
    expect(refusedShare(throttle)).toBe(0);
    throttle.observe(0.5);
    for (let i = 0; i < 4; i++) throttle.observe(1);
    expect(throttle.share).toBe(0);
  });

  it('sheds a growing share while the thread stays saturated, up to 95 %', () => {
    const throttle = new UtilizationThrottle(0.9, evenly());
    for (let i = 0; i < 5; i++) throttle.observe(0.99);
    expect(throttle.share).toBeCloseTo(0.1);
    expect(refusedShare(throttle)).toBeCloseTo(0.1, 1);
    for (let i = 0; i < 4; i++) throttle.observe(0.99);
    expect(throttle.share).toBeCloseTo(0.5);
    expect(refusedShare(throttle)).toBeCloseTo(0.5, 1);
    for (let i = 0; i < 20; i++) throttle.observe(1);
    expect(throttle.share).toBeCloseTo(0.95);
  });

  it('gives the share back once the thread is not saturated, within a second', () => {
    const throttle = new UtilizationThrottle(0.9, evenly());
    for (let i = 0; i < 9; i++) throttle.observe(1);
    expect(throttle.share).toBeCloseTo(0.5);
    throttle.observe(0.6);
    expect(throttle.share).toBeCloseTo(0.4);
    for (let i = 0; i < 4; i++) throttle.observe(0.6);
    expect(throttle.share).toBe(0);
    expect(refusedShare(throttle)).toBe(0);
  });

  it('does not read a window spent writing a large broadcast as overload, nor as its end', () => {
    const throttle = new UtilizationThrottle(0.9, evenly());
    for (let i = 0; i < 20; i++) throttle.observe(1, true);
    expect(throttle.share).toBe(0);
    // Saturated before and after a broadcast: the broadcast's windows neither count nor reset.
    for (let i = 0; i < 3; i++) throttle.observe(1);
    throttle.observe(1, true);
    for (let i = 0; i < 2; i++) throttle.observe(1);
    expect(throttle.share).toBeCloseTo(0.1);
    throttle.observe(0.2, true);
    expect(throttle.share).toBeCloseTo(0.1);
  });

  it('never sheds when turned off (PUBLISH_MAX_EVENT_LOOP_UTILIZATION=0)', () => {
    const throttle = new UtilizationThrottle(0, evenly());
    for (let i = 0; i < 50; i++) throttle.observe(1);
    expect(throttle.enabled).toBe(false);
    expect(refusedShare(throttle)).toBe(0);
  });
});

describe('EventLoopUtilizationSampler', () => {
  it('reads a busy window as busy and an idle one as idle', async () => {
    const sampler = new EventLoopUtilizationSampler();
    sampler.take();
    const until = Date.now() + 60;
    while (Date.now() < until) {
      // Busy on purpose: the thread does nothing else for 60 ms.
    }
    expect(sampler.take()).toBeGreaterThan(0.8);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sampler.take()).toBeLessThan(0.5);
  });
});
