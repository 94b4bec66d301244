import { ErrorCode, HeraldError, LIMITS } from '@herald/ws-contracts';
import { ServerEventBatchBodyPipe } from './server-event-batch-body.pipe';
import { ServerEventBodyPipe } from './server-event-body.pipe';

const pipe = new ServerEventBatchBodyPipe();
const single = new ServerEventBodyPipe();

/** The refusal's detail lines (fails the test when the pipe accepts). */
function refusal(body: unknown): string[] {
  try {
    pipe.transform(body);
  } catch (error) {
    expect(HeraldError.is(error, ErrorCode.InvalidPayload)).toBe(true);
    return (error as HeraldError).details as string[];
  }
  throw new Error('accepted');
}

const unread = (userId: unknown, unreadCount: unknown) => ({
  userId,
  event: 'notification:unread_count',
  payload: { unreadCount },
});

describe('ServerEventBatchBodyPipe', () => {
  it('passes every item on in order, each as the single-user endpoint would', () => {
    const items = [
      unread('ana', 1),
      {
        userId: ' bruno ',
        event: 'xp:gained',
        payload: { amount: 5, source: 's', totalXp: 9, x: 1 },
      },
      unread('ana', 2),
    ];
    expect(pipe.transform({ events: items })).toEqual(
      items.map(({ userId, ...body }) => ({
        userId: String(userId).trim(),
        ...single.transform(body),
      })),
    );
  });

  it('names the index of each invalid item and its field', () => {
    const lines = refusal({
      events: [
        unread('ana', 1),
        { userId: 'ana', event: 'xp:gained', payload: { amount: -1, source: 's', totalXp: 1 } },
        unread('', 1),
        { userId: 'ana', event: 'made:up', payload: {} },
        'text',
        { ...unread('ana', 1), extra: true },
      ],
    });
    expect(lines).toEqual([
      expect.stringMatching(/^events\[1\]\.payload\.amount: /),
      expect.stringMatching(/^events\[2\]\.userId: /),
      'events[3].event: unknown event "made:up"',
      expect.stringMatching(/^events\[4\]: /),
      expect.stringMatching(/^events\[5\]: .*extra/),
    ]);
  });

  it.each([
    ['no events', { events: [] }],
    [
      'too many events',
      { events: Array.from({ length: LIMITS.maxBatchEvents + 1 }, () => unread('a', 1)) },
    ],
    ['events not an array', { events: {} }],
    ['no envelope', [unread('a', 1)]],
    ['an unknown envelope key', { events: [unread('a', 1)], other: 1 }],
  ])('refuses %s', (_label, body) => {
    expect(refusal(body).length).toBeGreaterThan(0);
  });

  it(`accepts ${LIMITS.maxBatchEvents} events`, () => {
    const events = Array.from({ length: LIMITS.maxBatchEvents }, (_, i) => unread(`u${i}`, i));
    expect(pipe.transform({ events })).toHaveLength(LIMITS.maxBatchEvents);
  });
});
