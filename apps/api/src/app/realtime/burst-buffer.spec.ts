import { BurstBuffer } from './burst-buffer';

describe('BurstBuffer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands the first item after a quiet spell over on the next turn, with its turn-mates', async () => {
    const bursts: number[][] = [];
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), { windowMs: 1_000 });
    buffer.add(1);
    buffer.add(2);
    expect(bursts).toEqual([]);
    // No time passes: only the turn of the event loop.
    await vi.advanceTimersByTimeAsync(0);
    expect(bursts).toEqual([[1, 2]]);
    expect(buffer.size).toBe(0);
  });

  it('holds items that follow within the window, then hands them over together', async () => {
    const bursts: number[][] = [];
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), { windowMs: 50 });
    buffer.add(0);
    await vi.advanceTimersByTimeAsync(0);
    for (const n of [1, 2, 3]) buffer.add(n);
    await vi.advanceTimersByTimeAsync(49);
    expect(bursts).toEqual([[0]]);
    expect(buffer.size).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(bursts).toEqual([[0], [1, 2, 3]]);
  });

  it('hands over at once, in the adding call, when `maxItems` wait', async () => {
    const bursts: number[][] = [];
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), {
      windowMs: 1_000,
      maxItems: 3,
    });
    buffer.add(0);
    await vi.advanceTimersByTimeAsync(0);
    buffer.add(1);
    buffer.add(2);
    expect(bursts).toEqual([[0]]);
    buffer.add(3);
    expect(bursts).toEqual([[0], [1, 2, 3]]);
    // The window's timer finds nothing left to hand over.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bursts).toEqual([[0], [1, 2, 3]]);
  });

  it('goes quiet again: after a burst and a full window, the next item waits for nothing', async () => {
    const bursts: number[][] = [];
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), { windowMs: 50 });
    buffer.add(0);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(50);
    buffer.add(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(bursts).toEqual([[0], [1]]);
  });

  describe('with quietMs', () => {
    function quietBuffer(bursts: number[][], maxItems?: number) {
      return new BurstBuffer<number>((items) => bursts.push(items), {
        windowMs: 50,
        quietMs: 5,
        maxItems,
      });
    }

    it('hands over before the window ends once nothing has arrived for quietMs', async () => {
      const bursts: number[][] = [];
      const buffer = quietBuffer(bursts);
      buffer.add(0);
      await vi.advanceTimersByTimeAsync(0);
      buffer.add(1);
      buffer.add(2);
      await vi.advanceTimersByTimeAsync(4);
      expect(bursts).toEqual([[0]]);
      await vi.advanceTimersByTimeAsync(1);
      expect(bursts).toEqual([[0], [1, 2]]);
    });

    it('keeps gathering while items keep arriving, up to the end of the window', async () => {
      const bursts: number[][] = [];
      const buffer = quietBuffer(bursts);
      buffer.add(0);
      await vi.advanceTimersByTimeAsync(0);
      // One item every 3 ms: never quiet for 5 ms, so the window decides.
      for (let n = 1; n <= 16; n += 1) {
        buffer.add(n);
        await vi.advanceTimersByTimeAsync(3);
      }
      expect(bursts).toEqual([[0]]);
      await vi.advanceTimersByTimeAsync(2);
      expect(bursts).toEqual([[0], Array.from({ length: 16 }, (_, i) => i + 1)]);
      expect(buffer.size).toBe(0);
    });

    it('starts the quiet count over after a hand-over forced by maxItems', async () => {
      const bursts: number[][] = [];
      const buffer = quietBuffer(bursts, 2);
      buffer.add(0);
      await vi.advanceTimersByTimeAsync(0);
      buffer.add(1);
      await vi.advanceTimersByTimeAsync(3);
      buffer.add(2);
      expect(bursts).toEqual([[0], [1, 2]]);
      buffer.add(3);
      // The timer set for item 1 comes at 5 ms and finds item 3 only 2 ms old: it waits on.
      await vi.advanceTimersByTimeAsync(2);
      expect(bursts).toEqual([[0], [1, 2]]);
      await vi.advanceTimersByTimeAsync(2);
      expect(bursts).toEqual([[0], [1, 2]]);
      await vi.advanceTimersByTimeAsync(1);
      expect(bursts).toEqual([[0], [1, 2], [3]]);
    });
  });
});
