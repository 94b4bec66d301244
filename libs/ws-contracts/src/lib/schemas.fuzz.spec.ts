import fc from 'fast-check';
import type { z } from 'zod';
import { ClientEvent, SERVER_EVENT_NAMES } from './events';
import {
  buildCreateNotificationBodySchema,
  clientEventSchemas,
  createNotificationBodySchema,
  grantXpBodySchema,
  isWithinJsonDepth,
  LIMITS,
  serverEventBodySchema,
  tokenClaimsSchema,
} from './schemas';

/**
 * Property-based tests of the validators that guard the socket and HTTP entry points:
 * they never throw whatever arrives, accept every input that conforms (and hand it back
 * unchanged but for trimming), and reject every input that violates the contract.
 */

const RUNS = { numRuns: 300 };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Anything a hostile client could send: JSON-ish values, prototype keys, deep nesting, odd numbers. */
const hostile = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withNullPrototype: true,
    withSparseArray: true,
    withBoxedValues: true,
  }),
  fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown),
  fc.constantFrom<unknown>(
    JSON.parse('{"__proto__":{"admin":true}}'),
    { constructor: { prototype: { admin: true } } },
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    '',
    '\u0000',
    [],
    () => 'function',
    Symbol('s'),
  ),
  fc
    .integer({ min: 1, max: 2_000 })
    .map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
);

/** Valid free text: trimmed, non-empty, no control characters, within `max` UTF-16 units. */
const text = (max: number) =>
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 40) })
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s.length <= max && !CONTROL.test(s));

const uuid = fc.uuid();
/** A string that is not an 8-4-4-4-12 hex id. */
const notUuid = fc
  .string({ maxLength: 60 })
  .filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s));
// zod leaves a `__proto__` key out of what it accepts (assigning it would set the copy's
// prototype), so such a body does not come back unchanged: the API refuses it before the
// schema runs (CreateNotificationBodyPipe, with its own test), and keys here skip it.
const shallowData = fc.dictionary(
  fc.string({ maxLength: 10 }).filter((key) => key !== '__proto__'),
  fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null)),
  { maxKeys: 5 },
);

function neverThrows(schema: z.ZodType, input: unknown): boolean {
  const result = schema.safeParse(input);
  return typeof result.success === 'boolean';
}

describe('client-event validators (property-based)', () => {
  const schemas = Object.entries(clientEventSchemas) as [string, z.ZodType][];

  it.each(schemas)('%s never throws on hostile input', (_event, schema) => {
    fc.assert(
      fc.property(hostile, (input) => neverThrows(schema, input)),
      RUNS,
    );
  });

  it('accepts every { notificationId: uuid } for mark_read and delete, unchanged', () => {
    fc.assert(
      fc.property(
        uuid,
        fc.constantFrom(ClientEvent.MarkRead, ClientEvent.Delete),
        (notificationId, event) => {
          const result = clientEventSchemas[event].safeParse({ notificationId });
          return result.success && result.data.notificationId === notificationId;
        },
      ),
      RUNS,
    );
  });

  it('rejects any notificationId that is not a UUID, or any extra key', () => {
    fc.assert(
      fc.property(
        notUuid,
        (notificationId) =>
          !clientEventSchemas[ClientEvent.MarkRead].safeParse({ notificationId }).success,
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        uuid,
        fc.string({ minLength: 1 }).filter((k) => k !== 'notificationId'),
        fc.jsonValue(),
        (notificationId, key, value) => {
          const body = JSON.parse(
            JSON.stringify({ notificationId, [key]: value ?? null }),
          ) as Record<string, unknown>;
          return !clientEventSchemas[ClientEvent.Delete].safeParse(body).success;
        },
      ),
      RUNS,
    );
  });

  it('accepts only the empty object for mark_all_read', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1 }), fc.jsonValue(), { minKeys: 1 }),
        (body) => {
          return !clientEventSchemas[ClientEvent.MarkAllRead].safeParse(
            JSON.parse(JSON.stringify(body)),
          ).success;
        },
      ),
      RUNS,
    );
    expect(clientEventSchemas[ClientEvent.MarkAllRead].safeParse({}).success).toBe(true);
  });

  it('accepts auth:refresh tokens of 1 to 8,192 characters and nothing longer or empty', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), (length) => {
        const accepted = clientEventSchemas[ClientEvent.AuthRefresh].safeParse({
          token: 'a'.repeat(length),
        }).success;
        return accepted === (length >= 1 && length <= 8_192);
      }),
      { numRuns: 200 },
    );
  });
});

describe('HTTP body validators (property-based)', () => {
  const validBody = fc.record(
    {
      title: text(LIMITS.titleMaxLength),
      message: text(LIMITS.messageMaxLength),
      type: text(LIMITS.typeMaxLength),
      data: shallowData,
    },
    { requiredKeys: ['title', 'message'] },
  );

  it('POST /api/notifications: never throws on hostile input', () => {
    fc.assert(
      fc.property(hostile, (input) => neverThrows(createNotificationBodySchema, input)),
      RUNS,
    );
    fc.assert(
      fc.property(
        validBody,
        hostile,
        fc.constantFrom('userId', 'userIds', 'title', 'message', 'type', 'data'),
        (body, value, key) =>
          neverThrows(createNotificationBodySchema, { userId: 'u', ...body, [key]: value }),
      ),
      RUNS,
    );
  });

  it('POST /api/notifications: accepts every conforming body and returns it unchanged', () => {
    fc.assert(
      fc.property(
        validBody,
        fc.oneof(
          text(LIMITS.userIdMaxLength).map((id) => ({ userId: id })),
          fc
            .array(text(LIMITS.userIdMaxLength), { minLength: 1, maxLength: 20 })
            .map((ids) => ({ userIds: ids })),
        ),
        (body, recipients) => {
          const input = { ...recipients, ...body };
          const result = createNotificationBodySchema.safeParse(input);
          return result.success && JSON.stringify(result.data) === JSON.stringify(input);
        },
      ),
      RUNS,
    );
  });

  it('POST /api/notifications: rejects both or neither recipient field, control characters, and too many recipients', () => {
    fc.assert(
      fc.property(validBody, text(50), (body, id) => {
        const both = createNotificationBodySchema.safeParse({
          ...body,
          userId: id,
          userIds: [id],
        }).success;
        const neither = createNotificationBodySchema.safeParse(body).success;
        return !both && !neither;
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        validBody,
        fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 9 && c !== 10 && c !== 13),
        fc.nat(10),
        (body, code, at) => {
          const title =
            `${body.title.slice(0, at)}${String.fromCharCode(code)}x${body.title.slice(at)}`.slice(
              0,
              LIMITS.titleMaxLength,
            );
          return !createNotificationBodySchema.safeParse({
            ...body,
            userId: 'u',
            title: `a${title}`,
          }).success;
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 60 }),
        (max, count) => {
          const schema = buildCreateNotificationBodySchema({ maxRecipients: max });
          const ok = schema.safeParse({
            userIds: Array.from({ length: count }, (_, i) => `u${i}`),
            title: 't',
            message: 'm',
          }).success;
          return ok === count <= max;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('POST /api/notifications: rejects data nested deeper than the limit, accepts up to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (depth) => {
        const data = JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as Record<
          string,
          unknown
        >;
        const ok = createNotificationBodySchema.safeParse({
          userId: 'u',
          title: 't',
          message: 'm',
          data,
        }).success;
        return ok === depth <= LIMITS.jsonMaxDepth;
      }),
      { numRuns: 200 },
    );
  });

  it('POST /api/gamification/xp: accepts exactly the positive finite amounts up to the cap', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double(),
          fc.integer(),
          fc.constantFrom(0, -0, 1e6, 1e6 + 1e-9, Number.MIN_VALUE),
        ),
        text(64),
        (amount, source) => {
          const ok = grantXpBodySchema.safeParse({ userId: 'u', amount, source }).success;
          return ok === (Number.isFinite(amount) && amount > 0 && amount <= LIMITS.maxXpAmount);
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(hostile, (input) => neverThrows(grantXpBodySchema, input)),
      RUNS,
    );
  });

  it('service event bodies: never throw, and refuse every event outside the contract', () => {
    fc.assert(
      fc.property(hostile, hostile, (event, payload) =>
        neverThrows(serverEventBodySchema, { event, payload }),
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.string().filter((e) => !(SERVER_EVENT_NAMES as readonly string[]).includes(e)),
        fc.jsonValue(),
        (event, payload) => !serverEventBodySchema.safeParse({ event, payload }).success,
      ),
      RUNS,
    );
  });

  it('token claims: accept exactly the non-empty string subjects up to 255 characters', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), hostile), (sub) => {
        const ok = tokenClaimsSchema.safeParse({ sub }).success;
        return ok === (typeof sub === 'string' && sub.length >= 1 && sub.length <= 255);
      }),
      RUNS,
    );
  });
});

describe('isWithinJsonDepth', () => {
  const depthOf = (value: unknown): number =>
    value !== null && typeof value === 'object'
      ? 1 + Math.max(0, ...Object.values(value).map(depthOf))
      : 0;

  it('agrees with a recursive depth count on arbitrary JSON', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ depthSize: 'large' }),
        fc.integer({ min: 1, max: 10 }),
        (value, max) => isWithinJsonDepth(value, max) === depthOf(value) <= max,
      ),
      RUNS,
    );
  });

  it('handles 100,000 levels without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(isWithinJsonDepth(deep, 32)).toBe(false);
  });
});
