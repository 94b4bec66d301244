import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { appLoggerParams } from './logger-options';

/**
 * Structured logs through nestjs-pino, configured from the validated config (LOG_LEVEL,
 * LOG_FORMAT): `PinoLogger` and `Logger` for injection, and pino-http's request lines at
 * debug. It shares its pino logger with the one `createApp` gives Nest (`createAppLogger`).
 */
@Module({})
export class LoggingModule {
  static forRoot(log: AppConfig['log']): DynamicModule {
    return { module: LoggingModule, imports: [LoggerModule.forRoot(appLoggerParams(log))] };
  }
}
