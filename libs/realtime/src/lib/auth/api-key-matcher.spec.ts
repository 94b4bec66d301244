import { ApiKeyMatcher } from './api-key-matcher';

describe('ApiKeyMatcher', () => {
  const matcher = new ApiKeyMatcher('the-service-key-0123456789');

  it('accepts the configured key, also when repeated (remembered verdict)', () => {
    expect(matcher.matches('the-service-key-0123456789')).toBe(true);
    expect(matcher.matches('the-service-key-0123456789')).toBe(true);
    expect(matcher.matches(['the-service-key-0123456789', 'other'])).toBe(true);
  });

  it.each([
    undefined,
    '',
    'the-service-key-012345678',
    'the-service-key-0123456789 ',
    'x'.repeat(10_000),
  ])('refuses %j, also when repeated', (given) => {
    expect(matcher.matches(given)).toBe(false);
    expect(matcher.matches(given)).toBe(false);
  });

  it('keeps its verdicts right after many distinct wrong keys (bounded cache)', () => {
    for (let i = 0; i < 100; i++) expect(matcher.matches(`wrong-${i}`)).toBe(false);
    expect(matcher.matches('the-service-key-0123456789')).toBe(true);
  });

  it('matches nothing when no key is configured', () => {
    const disabled = new ApiKeyMatcher(undefined);
    expect(disabled.enabled).toBe(false);
    expect(disabled.matches('anything')).toBe(false);
  });
});
