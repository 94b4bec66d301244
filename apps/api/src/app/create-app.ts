import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { RealtimeIoAdapter } from '@herald/realtime';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { createAppLogger } from './logging/logger-options';
import { setupOpenApi } from './openapi/openapi';
import { HELMET_OPTIONS } from './http/security-headers';
import { PublishShedding } from './overload/publish-shedding';

/**
 * Builds the Nest application from a validated configuration: logging, load shedding,
 * body limits, CORS, security headers and the /api prefix. Everything that must exist
 * before the server listens (notably the Socket.IO adapter) is wired here, not after `listen`.
 */
export async function createApp(config: AppConfig) {
  // Given up front rather than buffered until `app.useLogger`: a start-up that fails inside
  // NestFactory.create must still be reported as JSON lines.
  const logger = createAppLogger(config.log);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger,
    bodyParser: false,
    // `req.rawBody`: the JSON parser keeps a reference to the Buffer it has read anyway (no
    // copy), so a webhook receiver can verify a signature over the exact bytes.
    rawBody: true,
  });
  // First of all, ahead of the body parser: a publish refused for overload costs no body
  // read, no JSON parse, no routing.
  app.use(app.get(PublishShedding).handle);
  // JSON only: every endpoint takes JSON, and each extra parser costs every request a
  // content-type check (no urlencoded parser, so a form body is simply absent → 400).
  app.useBodyParser('json', { limit: config.limits.httpBodyLimit });
  app.setGlobalPrefix('api');
  app.enableCors({
    origin: config.corsOrigins.includes('*') ? true : config.corsOrigins,
    credentials: true,
    exposedHeaders: ['retry-after'],
  });
  app.use(helmet(HELMET_OPTIONS));
  app.disable('x-powered-by');
  // No ETags: answers are small, per-call JSON that is never revalidated, and hashing every
  // response body showed up in the profile of the service endpoints.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  // Before init/listen: Nest silently ignores an adapter set later.
  app.useWebSocketAdapter(new RealtimeIoAdapter(app));
  setupOpenApi(app, config);
  return { app, logger };
}
