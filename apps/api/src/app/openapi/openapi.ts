import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { CONTRACT_VERSION } from '@herald/ws-contracts';
import type { AppConfig } from '../config/app-config';
import { API_KEY_SECURITY, BEARER_SECURITY } from './api-docs.decorators';
import { contractJsonSchemas } from './contract-schemas';

/**
 * OpenAPI document at /api/docs (Swagger UI) and /api/docs-json, built from the
 * controllers' decorators; every body and answer schema comes from the contract's zod
 * schemas (see contract-schemas.ts).
 */
export function setupOpenApi(app: INestApplication, config: AppConfig): void {
  const builder = new DocumentBuilder()
    .setTitle('Herald API')
    .setDescription(
      'Real-time notification gateway. User endpoints take the user’s JWT (`Authorization: Bearer`), ' +
        'service endpoints the `x-api-key` header. Socket.IO events are described in the contract library ' +
        '(@herald/ws-contracts). Errors are `{ statusCode, message, error }`.',
    )
    .setVersion(CONTRACT_VERSION)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, BEARER_SECURITY)
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, API_KEY_SECURITY)
    .build();
  const document = SwaggerModule.createDocument(app, builder);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ...contractJsonSchemas(config.limits.maxRecipients),
    },
  };
  SwaggerModule.setup('api/docs', app, document, {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'Herald API',
  });
}
