import { ApiHeader } from '@nestjs/swagger';
import type { Response } from 'express';
import { IDEMPOTENT_REPLAYED_HEADER, type IdempotentOutcome } from './idempotent-request';

/**
 * Answers an idempotent outcome: its status, and `Idempotent-Replayed: true` when it is
 * the first answer again. Returns the body for Nest to send (`@Res({ passthrough: true })`).
 */
export function replyIdempotent(res: Response, outcome: IdempotentOutcome): unknown {
  res.status(outcome.status);
  if (outcome.replayed) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return outcome.body;
}

/** OpenAPI: the endpoint honours `Idempotency-Key`. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      '1–255 printable ASCII characters. The same key with the same body within 24 hours answers ' +
      'the first answer again (same status and body, header `Idempotent-Replayed: true`) and stores ' +
      'nothing; with a different body it is a 422 IDEMPOTENCY_KEY_REUSED.',
  });
