import { Controller, Get, Inject, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { buildAsyncApiDocument, type AsyncApiDocument } from '@herald/ws-contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * The AsyncAPI 3 document of the Socket.IO contract at `/api/asyncapi.json`, beside the
 * OpenAPI one at `/api/docs-json`. The contract library builds it from its zod schemas;
 * this controller only says where this gateway listens: the host the client asked for,
 * `wss` when the request came over TLS (directly or through a trusted proxy), and WS_PATH.
 */
@ApiExcludeController()
@Controller()
export class AsyncApiController {
  private readonly document: AsyncApiDocument;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.document = buildAsyncApiDocument({ path: config.wsPath });
  }

  @Get('asyncapi.json')
  asyncApi(@Req() req: Request): AsyncApiDocument {
    const gateway = (this.document.servers as { gateway: object }).gateway;
    return {
      ...this.document,
      servers: {
        gateway: {
          ...gateway,
          host: req.get('host') ?? `localhost:${this.config.port}`,
          protocol: req.secure ? 'wss' : 'ws',
        },
      },
    };
  }
}
