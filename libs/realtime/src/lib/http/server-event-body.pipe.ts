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
    const fast = wellFormedEvent(value, BODY_KEYS);
    if (fast) {
      const parsed = fast.schema.safeParse(fast.payload);
      if (parsed.success)
        return { event: fast.event, payload: parsed.data } as ValidServerEventBody;
    }
    const body = this.full.transform(value) as ValidServerEventBody;
    return { event: body.event, payload: payloadAsSent(body.event, body.payload) };
  }
}

const BODY_KEYS = ['event', 'payload'] as const;

/**
 * `value` when it is a plain object with exactly `keys` and its `event` names a contract
 * event, with that event's payload schema; undefined for anything else (which then goes
 * through the full contract schema, so every 400 reads as the contract's).
 */
export function wellFormedEvent<K extends string>(value: unknown, keys: readonly K[]) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (Object.keys(value).length !== keys.length || !keys.every((k) => Object.hasOwn(value, k)))
    return undefined;
  const fields = value as Record<K | 'event' | 'payload', unknown>;
  if (typeof fields.event !== 'string') return undefined;
  const schema = serverEventSchemaFor(fields.event);
  return schema ? { ...fields, event: fields.event, schema } : undefined;
}

/**
 * The payload a client receives for a body the contract schema accepted: that schema only
 * checks the payload (in a refinement), so it is parsed again here to strip unknown keys.
 */
export function payloadAsSent(event: string, payload: unknown): ValidServerEventBody['payload'] {
  const schema = serverEventSchemaFor(event);
  return (schema ? schema.parse(payload) : payload) as ValidServerEventBody['payload'];
}
