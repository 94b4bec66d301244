import {
  WebhookVerificationError,
  decodeWebhookSecret,
  signWebhook,
  verifyWebhook,
} from './webhooks';

// The test vector of the Standard Webhooks specification's reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const EXPECTED = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const AT = new Date(TIMESTAMP * 1000);

const headers = (signature: string, timestamp = String(TIMESTAMP)) => ({
  'webhook-id': ID,
  'webhook-timestamp': timestamp,
  'webhook-signature': signature,
});

describe('webhook signatures (Standard Webhooks)', () => {
  it('signs the reference test vector exactly', async () => {
    expect(await signWebhook(SECRET, ID, TIMESTAMP, BODY)).toBe(EXPECTED);
  });

  it('verifies the reference vector from a plain record and from Fetch Headers', async () => {
    await expect(verifyWebhook(SECRET, headers(EXPECTED), BODY, { now: AT })).resolves.toEqual({
      test: 2432232314,
    });
    await expect(
      verifyWebhook(SECRET, new Headers(headers(EXPECTED)), BODY, { now: AT }),
    ).resolves.toBeDefined();
  });

  it('accepts a matching signature among several (secret rotation)', async () => {
    const rotated = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${EXPECTED}`;
    await expect(verifyWebhook(SECRET, headers(rotated), BODY, { now: AT })).resolves.toBeDefined();
  });

  it('refuses a changed body, a foreign secret, a missing header and an old timestamp', async () => {
    await expect(
      verifyWebhook(SECRET, headers(EXPECTED), '{"test": 2432232315}', { now: AT }),
    ).rejects.toBeInstanceOf(WebhookVerificationError);
    const other = `whsec_${btoa('another-secret-of-24-bytes!!')}`;
    await expect(verifyWebhook(other, headers(EXPECTED), BODY, { now: AT })).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );
    await expect(verifyWebhook(SECRET, { 'webhook-id': ID }, BODY, { now: AT })).rejects.toThrow(
      /Missing/,
    );
    await expect(
      verifyWebhook(SECRET, headers(EXPECTED), BODY, { now: new Date(AT.getTime() + 301_000) }),
    ).rejects.toThrow(/too far/);
    await expect(
      verifyWebhook(SECRET, headers('v2,' + EXPECTED.slice(3)), BODY, { now: AT }),
    ).rejects.toThrow(/No matching/);
  });

  it('refuses secrets without the whsec_ prefix or with invalid base64', () => {
    expect(() => decodeWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/whsec_/);
    expect(() => decodeWebhookSecret('whsec_not base64!')).toThrow(/base64/);
    expect(decodeWebhookSecret(SECRET)).toHaveLength(24);
  });
});
