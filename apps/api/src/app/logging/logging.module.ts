import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { loggerParams } from './logger-options';

/**
 * Structured logs through nestjs-pino, configured from the validated config (LOG_LEVEL,
 * LOG_FORMAT). The app installs its `Logger` with `app.useLogger(app.get(Logger))`.
 */
@Module({})
export class LoggingModule {
  static forRoot(log: AppConfig['log']): DynamicModule {
    return { module: LoggingModule, imports: [LoggerModule.forRoot(loggerParams(log))] };
  }
}
