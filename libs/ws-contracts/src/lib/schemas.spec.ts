import {
  buildCreateNotificationBodySchema,
  clientEventSchemas,
  createNotificationBodySchema,
  demoLoginBodySchema,
  grantXpBodySchema,
  listNotificationsQuerySchema,
  serverEventBodySchema,
  serverEventSchemas,
  tokenClaimsSchema,
} from './schemas';
import { CLIENT_EVENT_NAMES, SERVER_EVENT_NAMES, isClientEventName, userRoom } from './events';

const ID = '3f1c2a9e-6b7d-4c1e-9a2b-0d4e5f6a7b8c';

describe('event names', () => {
  it('lists every server event with a schema for each', () => {
    expect([...SERVER_EVENT_NAMES].sort()).toEqual(Object.keys(serverEventSchemas).sort());
    expect(SERVER_EVENT_NAMES).toHaveLength(11);
  });

  it('lists every client event with a schema for each, auth:refresh included', () => {
    expect([...CLIENT_EVENT_NAMES].sort()).toEqual(Object.keys(clientEventSchemas).sort());
    expect(isClientEventName('auth:refresh')).toBe(true);
    expect(isClientEventName('join')).toBe(false);
  });

  it('names the user room user:{id}', () => {
    expect(userRoom('42')).toBe('user:42');
  });
});

describe('client event schemas', () => {
  it('accepts a mark_read with a uuid', () => {
    expect(
      clientEventSchemas['notification:mark_read'].safeParse({ notificationId: ID }).success,
    ).toBe(true);
  });

  it.each([
    [undefined],
    [null],
    [{}],
    [{ notificationId: 'not-a-uuid' }],
    [{ notificationId: 42 }],
    [{ notificationId: ID, extra: true }],
    ['string payload'],
  ])('refuses mark_read payload %j', (payload) => {
    expect(clientEventSchemas['notification:mark_read'].safeParse(payload).success).toBe(false);
  });

  it('accepts an empty mark_all_read and refuses one with fields', () => {
    expect(clientEventSchemas['notification:mark_all_read'].safeParse({}).success).toBe(true);
    expect(clientEventSchemas['notification:mark_all_read'].safeParse({ all: 1 }).success).toBe(
      false,
    );
  });

  it('requires a non-empty token for auth:refresh', () => {
    expect(clientEventSchemas['auth:refresh'].safeParse({ token: 'a.b.c' }).success).toBe(true);
    expect(clientEventSchemas['auth:refresh'].safeParse({ token: '' }).success).toBe(false);
    expect(clientEventSchemas['auth:refresh'].safeParse({ token: 'x'.repeat(9_000) }).success).toBe(
      false,
    );
  });

  it('accepts a receipt of 1 to 100 notification ids', () => {
    const received = clientEventSchemas['notification:received'];
    expect(received.safeParse({ notificationIds: [ID] }).success).toBe(true);
    expect(received.safeParse({ notificationIds: Array(100).fill(ID) }).success).toBe(true);
    expect(received.safeParse({ notificationIds: [] }).success).toBe(false);
    expect(received.safeParse({ notificationIds: Array(101).fill(ID) }).success).toBe(false);
    expect(received.safeParse({ notificationIds: ['not-a-uuid'] }).success).toBe(false);
  });
});

describe('POST /api/notifications body', () => {
  const base = { title: 'Hello', message: 'World' };

  it('accepts one user or many', () => {
    expect(createNotificationBodySchema.safeParse({ ...base, userId: 'u1' }).success).toBe(true);
    expect(
      createNotificationBodySchema.safeParse({
        ...base,
        userIds: ['u1', 'u2'],
        type: 'info',
        data: { a: 1 },
      }).success,
    ).toBe(true);
  });

  it.each([
    ['no recipient', base],
    ['both recipients', { ...base, userId: 'u1', userIds: ['u2'] }],
    ['empty userIds', { ...base, userIds: [] }],
    ['blank title', { ...base, title: '   ', userId: 'u1' }],
    ['missing message', { title: 'x', userId: 'u1' }],
    ['numeric userId', { ...base, userId: 7 }],
    ['array data', { ...base, userId: 'u1', data: [1, 2] }],
    ['control characters', { ...base, userId: 'u\u0000' }],
    ['unknown field', { ...base, userId: 'u1', priority: 'high' }],
  ])('refuses %s', (_name, body) => {
    expect(createNotificationBodySchema.safeParse(body).success).toBe(false);
  });

  it('caps recipients at the configured limit', () => {
    const schema = buildCreateNotificationBodySchema({ maxRecipients: 3 });
    expect(schema.safeParse({ ...base, userIds: ['a', 'b', 'c'] }).success).toBe(true);
    expect(schema.safeParse({ ...base, userIds: ['a', 'b', 'c', 'd'] }).success).toBe(false);
  });

  it('accepts an expiresAt in the future only', () => {
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(
      createNotificationBodySchema.safeParse({ ...base, userId: 'u1', expiresAt: at(60_000) })
        .success,
    ).toBe(true);
    for (const expiresAt of [at(-60_000), 'tomorrow', 42]) {
      expect(
        createNotificationBodySchema.safeParse({ ...base, userId: 'u1', expiresAt }).success,
      ).toBe(false);
    }
  });

  it('keeps unicode and SQL metacharacters as plain text', () => {
    const parsed = createNotificationBodySchema.parse({
      ...base,
      userId: "o'brien; DROP TABLE x;--",
      title: '🔔 Ünïcödé',
    });
    expect(parsed.userId).toBe("o'brien; DROP TABLE x;--");
  });
});

describe('typed server event body', () => {
  it('accepts a known event with a valid payload', () => {
    expect(
      serverEventBodySchema.safeParse({
        event: 'xp:gained',
        payload: { amount: 5, source: 'quiz', totalXp: 10 },
      }).success,
    ).toBe(true);
  });

  it('refuses an unknown event', () => {
    const r = serverEventBodySchema.safeParse({ event: 'made:up', payload: {} });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['event']);
  });

  it.each(['valueOf', 'toString', '__proto__', 'constructor', 'hasOwnProperty'])(
    'refuses "%s", which names an Object.prototype member, as an unknown event',
    (event) => {
      const r = serverEventBodySchema.safeParse({ event, payload: {} });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0].path).toEqual(['event']);
    },
  );

  it('refuses a payload that does not match the event, pointing into payload', () => {
    const r = serverEventBodySchema.safeParse({
      event: 'xp:gained',
      payload: { amount: -1, source: 'quiz', totalXp: 10 },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['payload', 'amount']);
  });
});

describe('other bodies', () => {
  it.each([0, -5, Number.POSITIVE_INFINITY, Number.NaN, 2_000_000])(
    'refuses XP amount %s',
    (amount) => {
      expect(grantXpBodySchema.safeParse({ userId: 'u', amount, source: 's' }).success).toBe(false);
    },
  );

  it('accepts a positive XP grant', () => {
    expect(grantXpBodySchema.safeParse({ userId: 'u', amount: 150, source: 'quiz' }).success).toBe(
      true,
    );
  });

  it('needs an email for demo login', () => {
    expect(demoLoginBodySchema.safeParse({ email: 'ana@example.com' }).success).toBe(true);
    expect(demoLoginBodySchema.safeParse({ email: 'nope' }).success).toBe(false);
  });

  it('parses list query defaults and caps', () => {
    expect(listNotificationsQuerySchema.parse({})).toEqual({ unread: false, limit: 20 });
    expect(listNotificationsQuerySchema.parse({ unread: 'true', limit: '5' })).toMatchObject({
      unread: true,
      limit: 5,
    });
    expect(listNotificationsQuerySchema.safeParse({ limit: '1000' }).success).toBe(false);
  });

  it.each([{}, { sub: '' }, { sub: 42 }, { sub: null }])('refuses token claims %j', (claims) => {
    expect(tokenClaimsSchema.safeParse(claims).success).toBe(false);
  });
});
