import { TimerDelaySampler } from './event-loop-delay';

const blockFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a synchronous stretch, as a huge JSON.parse or a long fan-out loop would be
  }
};
const nextTimer = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TimerDelaySampler', () => {
  it('reads 0 before it is started (no sample is no evidence of load)', () => {
    expect(new TimerDelaySampler().takeMeanDelayMs()).toBe(0);
  });

  it('reads a synchronous stretch as delay, then starts a fresh window', async () => {
    const sampler = new TimerDelaySampler(10);
    sampler.start();
    try {
      await nextTimer(30);
      blockFor(300);
      await nextTimer(30);
      expect(sampler.takeMeanDelayMs()).toBeGreaterThan(20);
      await nextTimer(100);
      expect(sampler.takeMeanDelayMs()).toBeLessThan(20);
    } finally {
      sampler.stop();
    }
  });

  it('keeps a stall whose late firing comes after the window closed: the next window reads it', () => {
    vi.useFakeTimers();
    const sampler = new TimerDelaySampler(10, () => Date.now());
    sampler.start();
    try {
      vi.advanceTimersByTime(30);
      expect(sampler.takeMeanDelayMs()).toBe(0);
      // A 300 ms stall; the window closes before the sampler's late firing runs.
      vi.setSystemTime(Date.now() + 300);
      expect(sampler.takeMeanDelayMs()).toBe(0);
      vi.advanceTimersByTime(10);
      expect(sampler.takeMeanDelayMs()).toBe(300);
    } finally {
      sampler.stop();
      vi.useRealTimers();
    }
  });
});
