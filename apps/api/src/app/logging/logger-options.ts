import type { LogLevel } from '@nestjs/common';
import { Logger, PinoLogger, type Params } from 'nestjs-pino';
import { pino, stdSerializers, type DestinationStream, type LoggerOptions } from 'pino';
import type { AppConfig } from '../config/app-config';
import { prettyStream } from './pretty-stream';
import { REDACTED, REDACTED_PATHS, redactText } from './redact';

type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** LOG_LEVEL speaks Nest's level names; pino has its own for the same thresholds. */
const PINO_LEVEL: Record<AppConfig['log']['level'], PinoLevel> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** And back: log lines carry Nest's names, as operators set them in LOG_LEVEL. */
const NEST_LEVEL: Record<string, LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  trace: 'verbose',
};

/** Top-level string fields pass through {@link redactText}: a token may hide in any text. */
function redactTopLevelText(fields: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') fields[key] = redactText(value);
  }
  return fields;
}

/**
 * pino's error serializer with tokens removed from the message and stack. Anything may be
 * logged as `err` (a string, an error without a stack): a logger must never throw.
 */
function redactError(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === 'string' ? redactText(error) : error;
  const serialized = stdSerializers.err(error);
  if (typeof serialized.message === 'string') serialized.message = redactText(serialized.message);
  if (typeof serialized.stack === 'string') serialized.stack = redactText(serialized.stack);
  return serialized;
}

/** A serialized request with credentials in its query string replaced. */
function redactRequestUrl<T extends { url?: unknown }>(serialized: T): T {
  return typeof serialized.url === 'string'
    ? { ...serialized, url: redactText(serialized.url) }
    : serialized;
}

/**
 * pino options for Herald's log lines: one JSON object per line with `time` (ISO 8601),
 * `level` (Nest's name), `context`, `msg` and the structured fields, no pid/hostname;
 * secrets censored by key through pino's `redact` and by pattern in free text.
 */
export function pinoOptions(log: AppConfig['log']): LoggerOptions {
  return {
    level: PINO_LEVEL[log.level],
    base: undefined,
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: NEST_LEVEL[label] ?? label }),
      log: redactTopLevelText,
    },
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    serializers: {
      err: redactError,
      req: (req: unknown) =>
        req !== null && typeof req === 'object'
          ? redactRequestUrl(stdSerializers.req(req as Parameters<typeof stdSerializers.req>[0]))
          : req,
    },
    hooks: {
      logMethod(args, method) {
        // (mergingObject, message, ...interpolation) or (message, ...interpolation)
        const at = typeof args[0] === 'string' ? 0 : 1;
        if (typeof args[at] === 'string') {
          args[at] = redactText(args[at] as string);
        } else if (at === 1 && args.length < 2) {
          // pino would take an error's own message as `msg`, past the serializer: redact it.
          const fields = args[0] as { err?: unknown; msg?: unknown } | null;
          if (fields?.err instanceof Error && fields.msg === undefined) {
            args = [fields, redactText(fields.err.message)] as unknown as typeof args;
          }
        }
        return method.apply(this, args);
      },
    },
  };
}

/**
 * nestjs-pino's parameters for the app: one pino logger behind Nest's `Logger` and pino-http.
 * HTTP requests are logged only at LOG_LEVEL=debug or verbose, as debug lines: pino-http
 * serializes every request into a child logger before the handler runs, a cost in
 * throughput that production levels should not pay.
 */
export function loggerParams(log: AppConfig['log'], destination?: DestinationStream): Params {
  const stream =
    destination ?? (log.format === 'pretty' ? prettyStream(process.stdout) : undefined);
  const logger = stream ? pino(pinoOptions(log), stream) : pino(pinoOptions(log));
  const logRequests = log.level === 'debug' || log.level === 'verbose';
  return {
    pinoHttp: {
      logger,
      autoLogging: logRequests,
      customLogLevel: () => 'debug',
      // pino-http serializes requests itself; this runs on its result.
      serializers: { req: redactRequestUrl },
    },
    // Below debug no request-scoped middleware is mounted at all (see above).
    forRoutes: logRequests ? undefined : [],
  };
}

const appParams = new WeakMap<AppConfig['log'], Params>();

/** The app's parameters, built once per configuration so there is one pino logger. */
export function appLoggerParams(log: AppConfig['log']): Params {
  let params = appParams.get(log);
  if (!params) {
    params = loggerParams(log);
    appParams.set(log, params);
  }
  return params;
}

/**
 * The app's Nest `Logger`, usable before the application exists: handed to
 * `NestFactory.create`, so even a failed start-up (Redis unreachable, a module that throws)
 * is written as JSON lines rather than by Nest's console logger.
 */
export function createAppLogger(log: AppConfig['log']): Logger {
  const params = appLoggerParams(log);
  return new Logger(new PinoLogger(params), params);
}
