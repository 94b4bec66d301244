import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiResponse, ApiSecurity } from '@nestjs/swagger';
import { ErrorCode, HTTP_STATUS_BY_ERROR_CODE } from '@herald/ws-contracts';
import type { ContractSchemaName } from './contract-schemas';

/** Reference to a schema of `components.schemas`, filled from the contract's zod schemas. */
export const schemaRef = (name: ContractSchemaName) => ({ $ref: `#/components/schemas/${name}` });

export const API_KEY_SECURITY = 'api-key';
export const BEARER_SECURITY = 'bearer';

/** Request body documented by a contract schema (the one the handler validates with). */
export const ApiContractBody = (name: ContractSchemaName) => ApiBody({ schema: schemaRef(name) });

/** A response documented by a contract schema (or an array of it). */
export const ApiContractResponse = (
  status: number,
  description: string,
  name: ContractSchemaName,
  array = false,
) =>
  ApiResponse({
    status,
    description,
    schema: array ? { type: 'array', items: schemaRef(name) } : schemaRef(name),
  });

/** What each code means for an HTTP caller, in the response descriptions. */
export const ERROR_CODE_TEXT: Readonly<Record<ErrorCode, string>> = {
  TOKEN_MISSING: 'no `Authorization: Bearer` token',
  TOKEN_INVALID: 'the token is malformed, wrongly signed, or for another issuer or audience',
  TOKEN_EXPIRED: 'the token is past its `exp`',
  API_KEY_INVALID: '`x-api-key` missing or wrong, or the service API is off (API_KEY unset)',
  ORIGIN_NOT_ALLOWED: 'a browser origin outside CORS_ORIGIN (Socket.IO handshakes only)',
  FORBIDDEN: 'not allowed to do this',
  INVALID_PAYLOAD: 'invalid body, query or path parameter; nothing was changed',
  UNKNOWN_EVENT: 'an event the server does not know (Socket.IO only)',
  NOT_FOUND: 'unknown id, or one that belongs to another user',
  PAYLOAD_TOO_LARGE: 'body larger than HTTP_BODY_LIMIT',
  UNSUPPORTED_MEDIA_TYPE: 'body in an encoding or charset the API does not read',
  IDEMPOTENCY_KEY_REUSED: '`Idempotency-Key` sent again with a different body',
  RATE_LIMITED: 'too many requests from this address; wait `Retry-After` seconds',
  INTERNAL_ERROR: 'a bug on our side; details are logged, never sent',
  SERVICE_UNAVAILABLE: 'a dependency (database, Redis, the JWKS) is down; retry later',
  OVERLOADED:
    'a publish refused while the server is past its load bound; wait `Retry-After` seconds',
};

/**
 * The OpenAPI response for `codes` sharing one HTTP status: the `HttpError` body with
 * `code` narrowed to them, each code explained in the description.
 */
export function errorResponseObject(codes: readonly ErrorCode[]) {
  return {
    description: codes.map((code) => `\`${code}\`: ${ERROR_CODE_TEXT[code]}`).join('; '),
    content: {
      'application/json': {
        schema: {
          allOf: [
            schemaRef('HttpError'),
            { type: 'object', properties: { code: { type: 'string', enum: [...codes] } } },
          ],
        },
      },
    },
  };
}

/** `codes` grouped by their HTTP status (HTTP_STATUS_BY_ERROR_CODE). */
export function groupByStatus(codes: readonly ErrorCode[]): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = HTTP_STATUS_BY_ERROR_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

/**
 * The error codes an endpoint answers besides those every endpoint may (see
 * `withCommonErrors` in openapi.ts), one response per HTTP status, each with the
 * `{ statusCode, message, error, code }` body.
 */
export const ApiErrors = (...codes: ErrorCode[]) =>
  applyDecorators(
    ...[...groupByStatus(codes)].map(([status, group]) => {
      const { description, content } = errorResponseObject(group);
      return ApiResponse({ status, description, schema: content['application/json'].schema });
    }),
  );

/** Bearer-token endpoints: the token's three 401 codes, 503 while the JWKS is unreachable. */
export const ApiUserAuth = () =>
  applyDecorators(
    ApiBearerAuth(BEARER_SECURITY),
    ApiErrors(
      ErrorCode.TokenMissing,
      ErrorCode.TokenInvalid,
      ErrorCode.TokenExpired,
      ErrorCode.Unavailable,
    ),
  );
export const ApiServiceAuth = () =>
  applyDecorators(ApiSecurity(API_KEY_SECURITY), ApiErrors(ErrorCode.ApiKeyInvalid));
