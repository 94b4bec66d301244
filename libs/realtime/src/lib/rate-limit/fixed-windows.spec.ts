import { FixedWindows } from './fixed-windows';

describe('FixedWindows', () => {
  it('allows `points` actions in a window, then answers the ms until it ends', () => {
    const windows = new FixedWindows(3, 1_000);
    expect([0, 100, 200].map((t) => windows.take('a', t))).toEqual([0, 0, 0]);
    expect(windows.take('a', 400)).toBe(600);
  });

  it('starts a new window once the last one ended', () => {
    const windows = new FixedWindows(1, 1_000);
    windows.take('a', 0);
    expect(windows.take('a', 999)).toBe(1);
    expect(windows.take('a', 1_000)).toBe(0);
    expect(windows.take('a', 1_500)).toBe(500);
  });

  it('counts every key apart', () => {
    const windows = new FixedWindows(1, 1_000);
    expect(windows.take('a', 0)).toBe(0);
    expect(windows.take('b', 0)).toBe(0);
    expect(windows.take('a', 0)).toBe(1_000);
  });

  it('forgets keys whose windows ended, so idle clients cost no memory', () => {
    const windows = new FixedWindows(5, 1_000);
    for (let i = 0; i < 100; i++) windows.take(`client-${i}`, 0);
    expect(windows.size).toBe(100);
    windows.take('late', 2_000);
    expect(windows.size).toBe(1);
  });
});
