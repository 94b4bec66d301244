import type { Notification } from './payloads';

/**
 * Signing and verifying escalation webhooks, as the Standard Webhooks specification
 * (standardwebhooks.com) defines them, so any of its receiver libraries verifies Herald's
 * requests too. Written against WebCrypto (`crypto.subtle`), present in browsers, Deno,
 * Bun and Node ≥ 20, so this contract library stays free of Node built-ins.
 */

/** The `type` of every escalation webhook Herald sends. */
export const WEBHOOK_EVENT_TYPE = 'notification.escalated';

/** Header names of a signed webhook request. */
export const WebhookHeader = {
  /** Unique per message; the same on every retry, so a receiver can drop duplicates. */
  Id: 'webhook-id',
  /** Seconds since the epoch when this attempt was signed. */
  Timestamp: 'webhook-timestamp',
  /** `v1,<base64 HMAC-SHA256>` (several, space-separated, while a secret is rotated). */
  Signature: 'webhook-signature',
} as const;

/** The JSON body of an escalation webhook. */
export interface NotificationEscalatedWebhook {
  type: typeof WEBHOOK_EVENT_TYPE;
  /** ISO time at which the escalation was sent. */
  timestamp: string;
  data: {
    notification: Notification;
    user: { id: string; email: string | null; timezone: string | null };
  };
}

/** How far a `webhook-timestamp` may be from the receiver's clock (replay protection). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = 'whsec_';

/** Why `verifyWebhook` refused a request. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

/**
 * The raw key of a `whsec_<base64>` secret. Throws on anything else, so a mistyped
 * secret is a start-up error rather than signatures nobody can verify.
 */
export function decodeWebhookSecret(secret: string): Uint8Array {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new WebhookVerificationError('A webhook secret starts with "whsec_"');
  }
  const base64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 === 1) {
    throw new WebhookVerificationError('A webhook secret is "whsec_" followed by base64');
  }
  return fromBase64(base64);
}

/**
 * The `webhook-signature` value of one message: `v1,` and the base64 HMAC-SHA256 of
 * `${id}.${timestamp}.${body}` keyed with the secret's raw bytes.
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<string> {
  const key = await hmacKey(decodeWebhookSecret(secret));
  const mac = await crypto.subtle.sign('HMAC', key, encode(`${id}.${timestampSeconds}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

export interface VerifyWebhookOptions {
  /** The receiver's clock; `new Date()` by default. */
  now?: Date;
  toleranceSeconds?: number;
}

/**
 * Verifies a received webhook and answers its parsed body. `headers` is anything with the
 * three header values (a Fetch `Headers`, Node's lower-cased `IncomingHttpHeaders`, a
 * plain record); `body` must be the raw request body, byte for byte as received: a body
 * re-serialised from parsed JSON does not verify. Throws WebhookVerificationError when a
 * header is missing, the timestamp is outside the tolerance, or no signature matches.
 */
export async function verifyWebhook(
  secret: string,
  headers: Headers | Record<string, string | string[] | undefined>,
  body: string,
  options: VerifyWebhookOptions = {},
): Promise<NotificationEscalatedWebhook> {
  const id = header(headers, WebhookHeader.Id);
  const timestamp = header(headers, WebhookHeader.Timestamp);
  const signatures = header(headers, WebhookHeader.Signature);
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'Missing webhook-id, webhook-timestamp or webhook-signature',
    );
  }
  if (!/^\d{1,15}$/.test(timestamp))
    throw new WebhookVerificationError('Invalid webhook-timestamp');
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError('webhook-timestamp is too far from now (replay?)');
  }
  const key = await hmacKey(decodeWebhookSecret(secret));
  const signed = encode(`${id}.${timestamp}.${body}`);
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    let mac: Uint8Array;
    try {
      mac = fromBase64(value);
    } catch {
      continue;
    }
    // crypto.subtle.verify compares in constant time.
    if (await crypto.subtle.verify('HMAC', key, mac as BufferSource, signed as BufferSource)) {
      return JSON.parse(body) as NotificationEscalatedWebhook;
    }
  }
  throw new WebhookVerificationError('No matching webhook-signature');
}

function header(headers: VerifyWebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const value =
    record[name] ??
    Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1] ??
    undefined;
  return Array.isArray(value) ? value[0] : value;
}
type VerifyWebhookHeaders = Parameters<typeof verifyWebhook>[1];

function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    raw as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}

function encode(text: string): BufferSource {
  return new TextEncoder().encode(text) as BufferSource;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
