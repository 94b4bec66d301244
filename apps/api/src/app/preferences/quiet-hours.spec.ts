import { instantOf, quietHoursEnd } from './quiet-hours';

const at = (iso: string) => new Date(iso);

describe('quiet hours', () => {
  const night = { start: '22:00', end: '07:00', timezone: 'Europe/Berlin' };

  it('are not in force without quiet hours or outside them', () => {
    expect(quietHoursEnd(at('2026-01-15T12:00:00Z'), null)).toBeNull();
    // 13:00 in Berlin (UTC+1 in winter).
    expect(quietHoursEnd(at('2026-01-15T12:00:00Z'), night)).toBeNull();
    // 07:00 sharp is already outside; 21:59 still outside.
    expect(quietHoursEnd(at('2026-01-15T06:00:00Z'), night)).toBeNull();
    expect(quietHoursEnd(at('2026-01-15T20:59:00Z'), night)).toBeNull();
  });

  it('span midnight: late evening ends the next morning, early morning ends the same morning', () => {
    // 23:30 Berlin on the 15th → 07:00 Berlin on the 16th (06:00 UTC).
    expect(quietHoursEnd(at('2026-01-15T22:30:00Z'), night)).toEqual(at('2026-01-16T06:00:00Z'));
    // 22:00 sharp is inside.
    expect(quietHoursEnd(at('2026-01-15T21:00:00Z'), night)).toEqual(at('2026-01-16T06:00:00Z'));
    // 01:00 Berlin on the 16th → 07:00 Berlin the same day.
    expect(quietHoursEnd(at('2026-01-16T00:00:00Z'), night)).toEqual(at('2026-01-16T06:00:00Z'));
  });

  it('within one day (a lunch break) end the same day', () => {
    const lunch = { start: '12:00', end: '13:30', timezone: 'America/New_York' };
    // 12:15 in New York (UTC-5) → 13:30 New York = 18:30 UTC.
    expect(quietHoursEnd(at('2026-01-15T17:15:00Z'), lunch)).toEqual(at('2026-01-15T18:30:00Z'));
    expect(quietHoursEnd(at('2026-01-15T18:30:00Z'), lunch)).toBeNull();
  });

  it('end at the local time across a spring-forward change (the night is an hour shorter)', () => {
    // Europe/Berlin jumps from 02:00 CET to 03:00 CEST on 2026-03-29.
    // 23:00 CET on the 28th (22:00 UTC) → 07:00 CEST on the 29th = 05:00 UTC.
    expect(quietHoursEnd(at('2026-03-28T22:00:00Z'), night)).toEqual(at('2026-03-29T05:00:00Z'));
  });

  it('end at the local time across a fall-back change (the night is an hour longer)', () => {
    // Europe/Berlin falls back from 03:00 CEST to 02:00 CET on 2026-10-25.
    // 23:00 CEST on the 24th (21:00 UTC) → 07:00 CET on the 25th = 06:00 UTC.
    expect(quietHoursEnd(at('2026-10-24T21:00:00Z'), night)).toEqual(at('2026-10-25T06:00:00Z'));
  });

  it('ending inside a skipped hour end as far after the jump as they were into the gap', () => {
    // America/New_York skips 02:00–03:00 on 2026-03-08; quiet until 02:30 ends at 03:30 EDT.
    const skipped = { start: '23:00', end: '02:30', timezone: 'America/New_York' };
    // 23:30 EST on the 7th = 04:30 UTC on the 8th.
    expect(quietHoursEnd(at('2026-03-08T04:30:00Z'), skipped)).toEqual(at('2026-03-08T07:30:00Z'));
  });

  it('map wall clocks to instants in zones east and west of UTC', () => {
    expect(instantOf({ year: 2026, month: 7, day: 1, minutes: 9 * 60 }, 'Asia/Tokyo')).toEqual(
      at('2026-07-01T00:00:00Z'),
    );
    expect(instantOf({ year: 2026, month: 7, day: 1, minutes: 0 }, 'UTC')).toEqual(
      at('2026-07-01T00:00:00Z'),
    );
  });
});
