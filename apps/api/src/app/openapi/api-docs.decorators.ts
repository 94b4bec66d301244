import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiResponse, ApiSecurity } from '@nestjs/swagger';
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

/** The error answers every endpoint may give, all with the `{ statusCode, message, error }` body. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_TEXT[status] ?? 'Error',
        schema: schemaRef('HttpError'),
      }),
    ),
  );

export const ApiUserAuth = () => applyDecorators(ApiBearerAuth(BEARER_SECURITY), ApiErrors(401));
export const ApiServiceAuth = () => applyDecorators(ApiSecurity(API_KEY_SECURITY), ApiErrors(401));

const ERROR_TEXT: Record<number, string> = {
  400: 'Invalid input; nothing was changed',
  401: 'Missing or invalid credentials',
  404: 'Unknown id, or one that belongs to another user',
  413: 'Body larger than the limit',
  503: 'The database is unavailable',
};
