import { ExpirySchedule } from './expiry-schedule';

describe('ExpirySchedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 10_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands an item over once its deadline has passed, never before, at most a second late', async () => {
    const due: string[] = [];
    const schedule = new ExpirySchedule<string>((item) => due.push(item));
    schedule.schedule('a', 12_300);
    await vi.advanceTimersByTimeAsync(2_299);
    expect(due).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(due).toEqual(['a']);
    expect(schedule.size).toBe(0);
  });

  it('runs one timer for many items and none once they are gone', async () => {
    const due: string[] = [];
    const schedule = new ExpirySchedule<string>((item) => due.push(item));
    for (let i = 0; i < 100; i++) schedule.schedule(`s${i}`, 11_000 + i * 10);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(due).toHaveLength(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forgets a cancelled item, and stops its timer when nothing is left', async () => {
    const due: string[] = [];
    const schedule = new ExpirySchedule<string>((item) => due.push(item));
    schedule.schedule('a', 11_500);
    schedule.schedule('b', 11_500);
    schedule.cancel('a', 11_500);
    schedule.cancel('a', 11_500);
    expect(schedule.size).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(due).toEqual(['b']);
    schedule.schedule('c', 20_000);
    schedule.cancel('c', 20_000);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves an item to a later deadline when cancelled and scheduled again (auth:refresh)', async () => {
    const due: string[] = [];
    const schedule = new ExpirySchedule<string>((item) => due.push(item));
    schedule.schedule('a', 11_000);
    schedule.cancel('a', 11_000);
    schedule.schedule('a', 15_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(due).toEqual([]);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(due).toEqual(['a']);
  });
});
