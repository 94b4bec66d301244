import type { QuietHours } from '@herald/ws-contracts';

/**
 * Quiet hours in a user's time zone, on instants: whether an instant falls inside them
 * and when they end. Pure functions of their inputs (no clock), so they are tested at
 * fixed instants across midnight and daylight-saving changes.
 */

interface WallClock {
  year: number;
  month: number;
  day: number;
  /** Minutes since local midnight. */
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at `instant`. */
export function wallClockAt(instant: Date, timeZone: string): WallClock & { seconds: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts['year'] as number,
    month: parts['month'] as number,
    day: parts['day'] as number,
    minutes: (parts['hour'] as number) * 60 + (parts['minute'] as number),
    seconds: parts['second'] as number,
  };
}

/** Minutes `timeZone` is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const wall = wallClockAt(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, 0, wall.minutes, wall.seconds);
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * The instant the wall clock in `timeZone` shows `wall`. A time skipped by a
 * daylight-saving jump (02:30 on a spring-forward night) is read with the offset before
 * the jump, so it lands as far after the jump as it was into the gap (03:30), as
 * Temporal's `compatible` disambiguation does.
 */
export function instantOf(wall: WallClock, timeZone: string): Date {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day, 0, wall.minutes);
  // Two rounds settle on the offset in force at the result (it differs near a change).
  let guess = naive - offsetMinutes(new Date(naive), timeZone) * 60_000;
  guess = naive - offsetMinutes(new Date(guess), timeZone) * 60_000;
  const shown = wallClockAt(new Date(guess), timeZone);
  if (shown.minutes !== wall.minutes || shown.day !== wall.day) {
    // Inside a spring-forward gap: the offset in force before it.
    const before = offsetMinutes(new Date(naive - 12 * 3600_000), timeZone);
    return new Date(naive - before * 60_000);
  }
  return new Date(guess);
}

function parseClock(value: string): number {
  const [hours, minutes] = value.split(':').map(Number);
  return (hours as number) * 60 + (minutes as number);
}

/**
 * When the quiet hours around `now` end, or null when `now` is outside them (or there are
 * none). `start` after `end` spans midnight: 22:00–07:00 holds from 22:00 to 07:00 the
 * next morning.
 */
export function quietHoursEnd(now: Date, quiet: QuietHours | null | undefined): Date | null {
  if (!quiet) return null;
  const start = parseClock(quiet.start);
  const end = parseClock(quiet.end);
  const wall = wallClockAt(now, quiet.timezone);
  const spansMidnight = start > end;
  const inside = spansMidnight
    ? wall.minutes >= start || wall.minutes < end
    : wall.minutes >= start && wall.minutes < end;
  if (!inside) return null;
  // The end is today, unless the period started this evening and ends tomorrow morning.
  const endsTomorrow = spansMidnight && wall.minutes >= start;
  const day = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + (endsTomorrow ? 1 : 0)));
  return instantOf(
    {
      year: day.getUTCFullYear(),
      month: day.getUTCMonth() + 1,
      day: day.getUTCDate(),
      minutes: end,
    },
    quiet.timezone,
  );
}
