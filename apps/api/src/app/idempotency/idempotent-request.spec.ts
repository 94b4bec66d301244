import { ErrorCode } from '@herald/ws-contracts';
import { canonicalJson, fingerprintOf, idempotentRequest } from './idempotent-request';

describe('idempotentRequest', () => {
  it('is undefined without the header', () => {
    expect(idempotentRequest('scope', undefined, {})).toBeUndefined();
  });

  it('accepts 1 to 255 printable ASCII characters', () => {
    expect(idempotentRequest('scope', 'a', {})?.key).toBe('a');
    expect(idempotentRequest('scope', '~'.repeat(255), {})?.key).toHaveLength(255);
    expect(idempotentRequest('scope', 'order 42: retry #1', {})?.scope).toBe('scope');
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not ASCII', 'clé'],
    ['a control character', 'a\tb'],
    ['sent twice', ['a', 'b']],
  ])('refuses a key that is %s with INVALID_PAYLOAD', (_, header) => {
    expect(() => idempotentRequest('scope', header, {})).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidPayload }),
    );
  });
});

describe('fingerprintOf', () => {
  it('is the same for the same body in another key order', () => {
    expect(fingerprintOf({ a: 1, b: { c: [1, { d: 2, e: 3 }] } })).toBe(
      fingerprintOf({ b: { c: [1, { e: 3, d: 2 }] }, a: 1 }),
    );
  });

  it('differs for a different body, including array order and types', () => {
    expect(fingerprintOf({ a: [1, 2] })).not.toBe(fingerprintOf({ a: [2, 1] }));
    expect(fingerprintOf({ a: 1 })).not.toBe(fingerprintOf({ a: '1' }));
  });

  it('writes canonical JSON with sorted keys and without undefined members', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: null })).toBe('{"b":1,"c":null}');
  });
});
