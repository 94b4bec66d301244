import { PerfHooksDelaySampler } from './event-loop-delay';

const blockFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a synchronous stretch, as a huge JSON.parse or a long fan-out loop would be
  }
};
const nextTimer = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PerfHooksDelaySampler', () => {
  it('reads 0 before it is started (no sample is no evidence of load)', () => {
    expect(new PerfHooksDelaySampler().takeMeanDelayMs()).toBe(0);
  });

  it('reads a synchronous stretch as delay, then starts a fresh window', async () => {
    const sampler = new PerfHooksDelaySampler(10);
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
});
