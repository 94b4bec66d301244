import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import {
  CONTRACT_VERSION,
  ErrorCode,
  HTTP_STATUS_BY_ERROR_CODE,
  LIMITS,
} from '@herald/ws-contracts';
import { DEFAULT_PRESENCE_PAGE_SIZE, MAX_PRESENCE_PAGE_SIZE } from '@herald/realtime';
import type { AppConfig } from '../config/app-config';
import { isPublishRequest } from '../overload/publish-routes';
import {
  API_KEY_SECURITY,
  BEARER_SECURITY,
  ERROR_CODE_TEXT,
  errorResponseObject,
  groupByStatus,
  schemaRef,
} from './api-docs.decorators';
import { contractJsonSchemas } from './contract-schemas';

/** Never rate-limited (HttpRateLimitMiddleware). */
const RATE_LIMIT_EXEMPT = /^\/api\/(health|metrics)(\/|$)/;
const BODY_METHODS = new Set(['post', 'put', 'patch']);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Error codes of routes whose controllers carry no OpenAPI decorators: the service
 * endpoints of `@herald/realtime` (the library does not depend on @nestjs/swagger) and the
 * demo's groups.
 */
const UNDECORATED_ROUTE_ERRORS: readonly (readonly [RegExp, readonly ErrorCode[]])[] = [
  [
    /^\/api\/realtime\//,
    [ErrorCode.ApiKeyInvalid, ErrorCode.InvalidPayload, ErrorCode.Unavailable],
  ],
  [/^\/api\/groups\//, [ErrorCode.ApiKeyInvalid, ErrorCode.InvalidPayload]],
];

/**
 * OpenAPI document at /api/docs (Swagger UI) and /api/docs-json, built from the
 * controllers' decorators; every body and answer schema comes from the contract's zod
 * schemas (see contract-schemas.ts), and every error response lists the codes it can carry.
 *
 * Built on the first request for it, not at boot: the document is about 12,000 small objects
 * (1 MB of heap) that a process serving sockets would otherwise carry, and that every full
 * garbage collection would mark again, for a page most deployments never open.
 */
export function setupOpenApi(app: INestApplication, config: AppConfig): void {
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'Herald API',
  });
}

/** The whole document: the decorated routes, then what the decorators cannot say. */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Herald API')
    .setDescription(
      'Real-time notification gateway. User endpoints take the user’s JWT (`Authorization: Bearer`), ' +
        'service endpoints the `x-api-key` header. Socket.IO events are described in the contract library ' +
        '(@herald/ws-contracts).\n\n' +
        errorCodesDescription(),
    )
    .setVersion(CONTRACT_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SECURITY)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, API_KEY_SECURITY)
    .build();
  const document = withCommonErrors(
    describeEventBatch(describePresenceList(SwaggerModule.createDocument(app, builder))),
  );
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ...contractJsonSchemas(config.limits.maxRecipients),
    },
  };
  return document;
}

/**
 * The presence list (`GET /api/realtime/presence`) is a route of `@herald/realtime`, which
 * carries no OpenAPI decorators: its query parameters and answer are described here.
 */
export function describePresenceList(document: OpenAPIObject): OpenAPIObject {
  const operation = document.paths['/api/realtime/presence']?.get;
  if (!operation) return document;
  operation.summary = 'Connected users across the cluster, keyset-paged in userId order';
  operation.security = [{ [API_KEY_SECURITY]: [] }];
  operation.parameters = [
    {
      name: 'limit',
      in: 'query',
      required: false,
      description: `Users per page (1-${MAX_PRESENCE_PAGE_SIZE}).`,
      schema: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_PRESENCE_PAGE_SIZE,
        default: DEFAULT_PRESENCE_PAGE_SIZE,
      },
    },
    {
      name: 'cursor',
      in: 'query',
      required: false,
      description: 'The `nextCursor` of the previous page (opaque); omit it for the first page.',
      schema: { type: 'string' },
    },
  ];
  operation.responses = {
    ...operation.responses,
    '200': {
      description: 'One page of connected users, each with its socket count across the cluster.',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['users', 'nextCursor'],
            properties: {
              users: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['userId', 'sockets'],
                  properties: {
                    userId: { type: 'string' },
                    sockets: { type: 'integer', minimum: 1 },
                  },
                },
              },
              nextCursor: {
                type: 'string',
                nullable: true,
                description: 'Pass as `cursor` for the next page; null on the last page.',
              },
            },
          },
        },
      },
    },
  };
  return document;
}

/**
 * The event batch (`POST /api/realtime/events`) is a route of `@herald/realtime` too: its
 * body and answer are described here, from the contract's schemas.
 */
export function describeEventBatch(document: OpenAPIObject): OpenAPIObject {
  const operation = document.paths['/api/realtime/events']?.post;
  if (!operation) return document;
  operation.summary = 'Service: many typed server events in one request, each to one user';
  operation.description =
    'For backends that send many: one request costs far less than one per event. Each item of ' +
    '`events` is `{ userId, event, payload }`, validated exactly as POST /api/realtime/users/{userId}/events ' +
    'validates its user and body; one invalid item refuses the whole request (400, each problem naming its ' +
    `item, e.g. \`events[3].payload.amount\`) and nothing is sent. 1–${LIMITS.maxBatchEvents} items. Events ` +
    'go out in request order (so each user gets theirs in that order), across the cluster. Presence is ' +
    'looked up once for all the users; `delivered[i]` tells whether the user of item i had a connected socket.';
  operation.security = [{ [API_KEY_SECURITY]: [] }];
  operation.requestBody = {
    required: true,
    content: { 'application/json': { schema: schemaRef('ServerEventBatchBody') } },
  };
  operation.responses = {
    ...operation.responses,
    '202': {
      description: 'Every event was handed to Socket.IO, in request order.',
      content: { 'application/json': { schema: schemaRef('EventBatchDelivery') } },
    },
  };
  return document;
}

/** Every error code with its HTTP status (HTTP_STATUS_BY_ERROR_CODE), as a Markdown table. */
function errorCodesDescription(): string {
  const rows = Object.values(ErrorCode).map(
    (code) => `| \`${code}\` | ${HTTP_STATUS_BY_ERROR_CODE[code]} | ${ERROR_CODE_TEXT[code]} |`,
  );
  return [
    'Every error answer is `{ statusCode, message, error, code }` (`message` lists the problems ' +
      'of invalid input); `Retry-After` comes with 429 and, when known, 503. The codes are the ' +
      'same as on the Socket.IO side:',
    '',
    '| code | HTTP | meaning |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * Adds the error responses every operation may give whatever its controller declares:
 * INTERNAL_ERROR, RATE_LIMITED (outside health and metrics), for a body the parser's
 * INVALID_PAYLOAD, PAYLOAD_TOO_LARGE and UNSUPPORTED_MEDIA_TYPE, and on the publish
 * endpoints the load shedder's OVERLOADED. A status the controller already documents keeps
 * its codes and gains the common one.
 */
export function withCommonErrors(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const codes: ErrorCode[] = [ErrorCode.Internal];
      if (!RATE_LIMIT_EXEMPT.test(path)) codes.push(ErrorCode.RateLimited);
      if (BODY_METHODS.has(method)) {
        codes.push(
          ErrorCode.InvalidPayload,
          ErrorCode.PayloadTooLarge,
          ErrorCode.UnsupportedMediaType,
        );
      }
      if (isPublishRequest(method.toUpperCase(), path)) codes.push(ErrorCode.Overloaded);
      for (const [pattern, routeCodes] of UNDECORATED_ROUTE_ERRORS) {
        if (pattern.test(path)) codes.push(...routeCodes);
      }
      for (const [status, group] of groupByStatus(codes)) {
        const key = String(status);
        const merged = [...new Set([...documentedCodes(operation.responses[key]), ...group])];
        operation.responses[key] = errorResponseObject(merged);
      }
    }
  }
  return document;
}

/** The codes an error response written by `errorResponseObject` lists. */
function documentedCodes(response: unknown): ErrorCode[] {
  const schema = (
    response as
      { content?: Record<string, { schema?: { allOf?: { properties?: unknown }[] } }> } | undefined
  )?.content?.['application/json']?.schema;
  const narrowed = schema?.allOf?.[1]?.properties as { code?: { enum?: ErrorCode[] } } | undefined;
  return narrowed?.code?.enum ?? [];
}
