import {
  DEFAULT_PREFERENCES,
  createNotificationBodySchema,
  preferencesSchema,
  quietHoursSchema,
  updateUserBodySchema,
} from './schemas';

describe('preferences schema', () => {
  it('accepts the defaults and a full document', () => {
    expect(preferencesSchema.safeParse(DEFAULT_PREFERENCES).success).toBe(true);
    const full = {
      channels: { email: false, webhook: true },
      types: { billing: { email: true }, chat: {} },
      quietHours: { start: '22:00', end: '07:30', timezone: 'Europe/Berlin' },
    };
    expect(preferencesSchema.parse(full)).toEqual(full);
  });

  it('refuses unknown zones, impossible times, equal bounds and unknown keys', () => {
    const quiet = (q: object) => quietHoursSchema.safeParse(q).success;
    expect(quiet({ start: '22:00', end: '07:00', timezone: 'Mars/Olympus' })).toBe(false);
    expect(quiet({ start: '24:00', end: '07:00', timezone: 'UTC' })).toBe(false);
    expect(quiet({ start: '7:00', end: '08:00', timezone: 'UTC' })).toBe(false);
    expect(quiet({ start: '08:00', end: '08:00', timezone: 'UTC' })).toBe(false);
    expect(quiet({ start: '08:00', end: '09:00', timezone: 'UTC', extra: 1 })).toBe(false);
    expect(
      preferencesSchema.safeParse({ ...DEFAULT_PREFERENCES, channels: { email: true } }).success,
    ).toBe(false);
    expect(
      preferencesSchema.safeParse({ ...DEFAULT_PREFERENCES, types: { chat: { sms: true } } })
        .success,
    ).toBe(false);
  });
});

describe('user body and escalation fields', () => {
  it('needs email or timezone, each valid', () => {
    expect(updateUserBodySchema.safeParse({}).success).toBe(false);
    expect(updateUserBodySchema.safeParse({ email: 'not-an-address' }).success).toBe(false);
    expect(updateUserBodySchema.safeParse({ timezone: 'Nowhere/Land' }).success).toBe(false);
    expect(updateUserBodySchema.safeParse({ email: 'a@example.com' }).success).toBe(true);
    expect(updateUserBodySchema.safeParse({ timezone: 'America/New_York' }).success).toBe(true);
  });

  it('takes escalate and escalateAfterSeconds on a send, not both off and timed', () => {
    const base = { userId: 'u1', title: 't', message: 'm' };
    expect(createNotificationBodySchema.safeParse({ ...base, escalate: false }).success).toBe(true);
    expect(
      createNotificationBodySchema.safeParse({ ...base, escalateAfterSeconds: 1.5 }).success,
    ).toBe(true);
    expect(
      createNotificationBodySchema.safeParse({ ...base, escalateAfterSeconds: -1 }).success,
    ).toBe(false);
    expect(
      createNotificationBodySchema.safeParse({ ...base, escalate: false, escalateAfterSeconds: 5 })
        .success,
    ).toBe(false);
  });
});
