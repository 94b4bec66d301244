import { TimeOrderedIds } from './time-ordered-ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond timestamp at the front of a version 7 UUID. */
const msOf = (id: string) => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('TimeOrderedIds', () => {
  it('makes version 7 UUIDs that carry the time they were made', () => {
    const ids = new TimeOrderedIds(() => 1_764_500_000_123);
    const id = ids.next();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBe(1_764_500_000_123);
  });

  it('sorts ids made in the same millisecond in the order they were made, all distinct', () => {
    const ids = new TimeOrderedIds(() => 1_764_500_000_000);
    const made = Array.from({ length: 1_000 }, () => ids.next());
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });

  it('borrows the next millisecond past 4,096 ids in one, and stays in order', () => {
    const ids = new TimeOrderedIds(() => 1_764_500_000_000);
    const made = Array.from({ length: 5_000 }, () => ids.next());
    expect([...made].sort()).toEqual(made);
    expect(msOf(made[4_095] as string)).toBe(1_764_500_000_000);
    expect(msOf(made[4_096] as string)).toBe(1_764_500_000_001);
    made.forEach((id) => expect(id).toMatch(UUID_V7));
  });

  it('never goes back when the clock does', () => {
    let now = 1_764_500_000_500;
    const ids = new TimeOrderedIds(() => now);
    const first = ids.next();
    now -= 10_000;
    const second = ids.next();
    expect(second > first).toBe(true);
    expect(msOf(second)).toBe(1_764_500_000_500);
  });

  it('keeps 62 random bits: ids made at the same moment by two generators differ', () => {
    const a = new TimeOrderedIds(() => 1_764_500_000_000);
    const b = new TimeOrderedIds(() => 1_764_500_000_000);
    const fromA = new Set(Array.from({ length: 500 }, () => a.next()));
    for (let i = 0; i < 500; i += 1) expect(fromA.has(b.next())).toBe(false);
  });
});
