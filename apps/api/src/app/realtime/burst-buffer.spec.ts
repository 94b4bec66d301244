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
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), 1_000);
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
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), 50);
    buffer.add(0);
    await vi.advanceTimersByTimeAsync(0);
    for (const n of [1, 2, 3]) buffer.add(n);
    await vi.advanceTimersByTimeAsync(49);
    expect(bursts).toEqual([[0]]);
    expect(buffer.size).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(bursts).toEqual([[0], [1, 2, 3]]);
  });

  it('hands over what waits when flushed, and its window then finds nothing left', async () => {
    const bursts: number[][] = [];
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), 1_000);
    buffer.add(0);
    await vi.advanceTimersByTimeAsync(0);
    buffer.add(1);
    buffer.add(2);
    buffer.flush();
    expect(bursts).toEqual([[0], [1, 2]]);
    buffer.flush();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bursts).toEqual([[0], [1, 2]]);
  });

  it('hands over at once, in the adding call, when `maxItems` wait', async () => {
    const bursts: number[][] = [];
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), 1_000, 3);
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
    const buffer = new BurstBuffer<number>((items) => bursts.push(items), 50);
    buffer.add(0);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(50);
    buffer.add(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(bursts).toEqual([[0], [1]]);
  });
});
