/**
 * The time as the scheduler and quiet hours see it. Injected (not `new Date()` inline) so
 * tests pin it to fixed instants instead of waiting for real ones.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
