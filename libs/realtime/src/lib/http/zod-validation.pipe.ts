import type { PipeTransform } from '@nestjs/common';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import type { z } from 'zod';

/**
 * Formats zod issues as "path: message" lines, the way clients read them. `at` names what
 * was validated when it is one part of a larger body (e.g. `events[3]`), so every line
 * says where its problem is.
 */
export function describeIssues(error: z.ZodError, at?: string): string[] {
  return error.issues.map((i) => {
    const path = [...(at === undefined ? [] : [at]), ...i.path.map(String)].join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
}

/**
 * Validates a body, query or param with a contract schema, so HTTP and WebSocket input
 * share one source of truth. Throws INVALID_PAYLOAD (400) with one detail per problem, which
 * the HTTP body lists as `message: string[]`.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (!result.success) {
      throw new HeraldError(ErrorCode.InvalidPayload, 'Invalid payload', {
        details: describeIssues(result.error),
      });
    }
    return result.data;
  }
}
