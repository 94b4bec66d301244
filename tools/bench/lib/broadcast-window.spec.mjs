import { broadcastWindows, splitByWindows } from './broadcast-window.mjs';

describe('the benchmark broadcast windows', () => {
  it('spans each broadcast from its POST to the last socket that received it', () => {
    expect(
      broadcastWindows([
        { sentUs: 1_000, timeToLastUs: 500 },
        { sentUs: 5_000, timeToLastUs: 2_000 },
      ]),
    ).toEqual([
      [1_000, 1_500],
      [5_000, 7_000],
    ]);
  });

  it('gives a broadcast that reached nobody no window', () => {
    expect(broadcastWindows([{ sentUs: 1_000, timeToLastUs: null }])).toEqual([]);
  });

  it('counts a delivery in flight at any moment of a window as during the broadcast', () => {
    const windows = [[10_000, 20_000]];
    const { during, outside } = splitByWindows(
      [
        [2_000, 3_000], // scheduled and arrived before the window
        [8_000, 4_000], // scheduled before, arrived inside
        [12_000, 1_000], // entirely inside
        [19_000, 30_000], // scheduled inside, arrived long after
        [5_000, 40_000], // in flight across the whole window
        [21_000, 1_000], // after the window
      ],
      windows,
    );
    expect(during).toEqual([4, 1, 30, 40]);
    expect(outside).toEqual([3, 1]);
  });

  it('treats a delivery touching a window edge as during it', () => {
    const { during } = splitByWindows(
      [
        [9_000, 1_000],
        [20_000, 500],
      ],
      [[10_000, 20_000]],
    );
    expect(during).toEqual([1, 0.5]);
  });

  it('puts every delivery outside when there was no window', () => {
    expect(splitByWindows([[1_000, 2_000]], [])).toEqual({ during: [], outside: [2] });
  });
});
