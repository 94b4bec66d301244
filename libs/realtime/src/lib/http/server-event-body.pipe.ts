import type { PipeTransform } from '@nestjs/common';
import {
  serverEventBodySchema,
  serverEventSchemaFor,
  type ServerEventPayloads,
} from '@herald/ws-contracts';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A body that passed `serverEventBodySchema`: a contract event and its valid payload. */
export interface ValidServerEventBody {
  event: keyof ServerEventPayloads;
  payload: ServerEventPayloads[keyof ServerEventPayloads];
}

/**
 * Validates `{ event, payload }` of the typed-event service endpoints. The contract's
 * `serverEventBodySchema` parses the envelope, then (in a refinement) the payload; on the
 * hot path of a fan-out that double pass was a visible share of each request. A
 * well-formed body is checked here with the payload's schema alone; anything else goes
 * through the full contract schema, so every 400 reads exactly as the contract's.
 *
 * The payload passed on is the payload schema's output: server event schemas strip keys
 * they do not know, so a caller's extra field never reaches a client (what a service sends
 * is exactly what the contract describes, and no more).
 */
export class ServerEventBodyPipe implements PipeTransform<unknown, ValidServerEventBody> {
  private readonly full = new ZodValidationPipe(serverEventBodySchema);

  transform(value: unknown): ValidServerEventBody {
    const fast = wellFormed(value);
    if (fast) {
      const parsed = fast.schema.safeParse(fast.payload);
      if (parsed.success)
        return { event: fast.event, payload: parsed.data } as ValidServerEventBody;
    }
    const body = this.full.transform(value) as ValidServerEventBody;
    // The contract schema only checks the payload (in a refinement); strip it here.
    const schema = serverEventSchemaFor(body.event);
    return {
      event: body.event,
      payload: (schema
        ? schema.parse(body.payload)
        : body.payload) as ValidServerEventBody['payload'],
    };
  }
}

/** Exactly the keys `event` (a contract event name) and `payload`, on a plain object. */
function wellFormed(value: unknown) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 2 || !Object.hasOwn(value, 'event') || !Object.hasOwn(value, 'payload'))
    return undefined;
  const { event, payload } = value as { event: unknown; payload: unknown };
  if (typeof event !== 'string') return undefined;
  const schema = serverEventSchemaFor(event);
  return schema ? { event, payload, schema } : undefined;
}
