import { createHash } from 'node:crypto';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';

/** The request header that makes a service request safe to retry. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on an answer that was replayed from the first request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** How long a key is remembered: a retry within this window gets the first answer again. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** One request that carries an `Idempotency-Key`: where the key applies, and what was asked. */
export interface IdempotentRequest {
  /** The endpoint (and caller) the key belongs to: one key may be used on each endpoint. */
  scope: string;
  key: string;
  /** sha256 (hex) of the canonical request body. */
  fingerprint: string;
}

/** An answer as it is remembered and replayed: status and JSON body. */
export interface IdempotentAnswer {
  status: number;
  body: unknown;
}

/** What an endpoint that honours idempotency answers: its own answer or the first one again. */
export interface IdempotentOutcome extends IdempotentAnswer {
  replayed: boolean;
}

/**
 * The idempotency part of a request: undefined without the header, a request to claim
 * otherwise. A malformed key (empty, over 255 characters, not printable ASCII, sent twice)
 * is a 400 before anything happens.
 */
export function idempotentRequest(
  scope: string,
  header: string | string[] | undefined,
  body: unknown,
): IdempotentRequest | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    throw new HeraldError(
      ErrorCode.InvalidPayload,
      'Idempotency-Key must be 1 to 255 printable ASCII characters',
    );
  }
  return { scope, key: header, fingerprint: fingerprintOf(body) };
}

/**
 * sha256 of the body in canonical JSON (object keys sorted at every level), so the same
 * request with its fields in another order or other whitespace is still the same request.
 */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** JSON with object keys sorted at every level; `undefined` members are left out, as JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const members = Object.keys(value)
    .filter((name) => (value as Record<string, unknown>)[name] !== undefined)
    .sort()
    .map(
      (name) =>
        `${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name])}`,
    );
  return `{${members.join(',')}}`;
}

/** The map key of a request's (scope, key). */
export function claimId(request: Pick<IdempotentRequest, 'scope' | 'key'>): string {
  return `${request.scope}\n${request.key}`;
}

/** The 422 for a key sent again with a different body. */
export function keyReused(): HeraldError {
  return new HeraldError(
    ErrorCode.IdempotencyKeyReused,
    'This Idempotency-Key was already used with a different request body',
  );
}

/**
 * What a request that did not get its key answers when it finds no earlier answer either:
 * the key's window ended while it was being looked at. Rare; a retry settles it.
 */
export function keyBusy(): HeraldError {
  return new HeraldError(
    ErrorCode.Unavailable,
    'This Idempotency-Key is being processed; retry the request',
    { retryAfterSeconds: 1 },
  );
}
