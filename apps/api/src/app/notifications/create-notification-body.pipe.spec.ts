import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { loadConfig } from '../config/app-config';
import { CreateNotificationBatchBodyPipe } from './create-notification-batch-body.pipe';
import { CreateNotificationBodyPipe } from './create-notification-body.pipe';

const config = loadConfig({});

function refusal(run: () => unknown): HeraldError {
  try {
    run();
  } catch (error) {
    if (HeraldError.is(error)) return error;
    throw error;
  }
  throw new Error('was accepted');
}

describe('a send whose data has a "__proto__" key', () => {
  const single = new CreateNotificationBodyPipe(config);
  const batch = new CreateNotificationBatchBodyPipe(config);
  // As JSON.parse reads a request body: "__proto__" is then an own key of `data`.
  const body = JSON.parse(
    '{"userId":"u","title":"t","message":"m","data":{"__proto__":{"a":1},"b":2}}',
  );

  it('is refused with 400 INVALID_PAYLOAD naming the field, not stored without the key', () => {
    const error = refusal(() => single.transform(body));
    expect(error.code).toBe(ErrorCode.InvalidPayload);
    expect(error.details).toEqual(['data: must not have a key named "__proto__"']);
  });

  it('is refused in a batch too, naming its item', () => {
    const ok = { userId: 'u', title: 't', message: 'm' };
    const error = refusal(() => batch.transform({ notifications: [ok, body] }));
    expect(error.code).toBe(ErrorCode.InvalidPayload);
    expect(error.details).toEqual(['notifications[1].data: must not have a key named "__proto__"']);
  });

  it('keeps such a key nested deeper exactly as sent', () => {
    const nested = JSON.parse(
      '{"userId":"u","title":"t","message":"m","data":{"x":{"__proto__":1}}}',
    );
    const input = single.transform(nested);
    expect(JSON.stringify(input.data)).toBe('{"x":{"__proto__":1}}');
  });
});
