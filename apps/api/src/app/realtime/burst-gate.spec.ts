import { BurstGate } from './burst-gate';

describe('BurstGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets the first caller after a quiet spell through on the next turn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    const gate = new BurstGate(1_000);
    let passed = false;
    const first = gate.pass().then(() => (passed = true));
    // No time passes: only the turn of the event loop.
    await vi.advanceTimersByTimeAsync(0);
    expect(passed).toBe(true);
    await first;
  });

  it('holds callers that follow within the window, then lets them all through in one turn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    const gate = new BurstGate(50);
    const passed: number[] = [];
    const first = gate.pass().then(() => passed.push(0));
    await vi.advanceTimersByTimeAsync(0);
    await first;
    const later = [1, 2, 3].map((n) => gate.pass().then(() => passed.push(n)));
    await vi.advanceTimersByTimeAsync(49);
    expect(passed).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(later);
    expect(passed).toEqual([0, 1, 2, 3]);
  });

  it('opens early once `maxWaiting` callers wait', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
    const gate = new BurstGate(1_000, 3);
    await Promise.all([gate.pass(), vi.advanceTimersByTimeAsync(0)]);
    const passed: number[] = [];
    const waiting = [1, 2, 3].map((n) => gate.pass().then(() => passed.push(n)));
    await Promise.all(waiting);
    expect(passed).toEqual([1, 2, 3]);
  });
});
