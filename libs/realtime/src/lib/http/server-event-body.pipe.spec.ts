import { HeraldError, serverEventBodySchema } from '@herald/ws-contracts';
import { ServerEventBodyPipe } from './server-event-body.pipe';
import { ZodValidationPipe } from './zod-validation.pipe';

const pipe = new ServerEventBodyPipe();
const contract = new ZodValidationPipe(serverEventBodySchema);

/** The pipe's answer (accepted or refusal), to compare with the contract schema's. */
function outcome(run: () => unknown) {
  try {
    run();
    return { ok: true };
  } catch (error) {
    if (HeraldError.is(error)) {
      return { refused: { code: error.code, message: error.message, details: error.details } };
    }
    throw error;
  }
}

describe('ServerEventBodyPipe', () => {
  const bodies: unknown[] = [
    { event: 'notification:unread_count', payload: { unreadCount: 3 } },
    { event: 'notification:unread_count', payload: { unreadCount: 3, extra: 'dropped' } },
    { event: 'notification:unread_count', payload: { unreadCount: -1 } },
    { event: 'notification:unread_count', payload: 'not an object' },
    { event: 'notification:unread_count' },
    { event: 'notification:unread_count', payload: { unreadCount: 1 }, extra: true },
    { event: 'made:up', payload: {} },
    { event: 'valueOf', payload: {} },
    { event: '', payload: {} },
    { event: 42, payload: {} },
    { payload: {}, other: 1 },
    JSON.parse('{"__proto__": {"event": "notification:unread_count"}, "payload": {}}'),
    [],
    null,
    'text',
    undefined,
  ];

  it.each(bodies.map((body) => [JSON.stringify(body) ?? String(body), body]))(
    'answers %s exactly as the contract schema does',
    (_label, body) => {
      expect(outcome(() => pipe.transform(body))).toEqual(outcome(() => contract.transform(body)));
    },
  );

  it('passes on the contract fields of a valid payload and drops unknown keys', () => {
    const payload = { unreadCount: 2, extra: 'x' };
    const body = pipe.transform({ event: 'notification:unread_count', payload });
    expect(body).toEqual({ event: 'notification:unread_count', payload: { unreadCount: 2 } });
    expect(payload).toEqual({ unreadCount: 2, extra: 'x' });
  });

  it('drops unknown keys in nested objects too', () => {
    const body = pipe.transform(
      JSON.parse(
        '{"event":"leaderboard:updated","payload":{"leaderboard":[{"userId":"u","xp":1,"rank":"R","position":1,"x":1}]}}',
      ),
    );
    expect(body.payload).toEqual({ leaderboard: [{ userId: 'u', xp: 1, rank: 'R', position: 1 }] });
  });
});
