import { z } from 'zod';

/**
 * Configuration from the environment (SPEC §2). Validated once at start-up; a bad value
 * stops the process with one line naming the variable (see ConfigError).
 */

const DEV_JWT_SECRET = 'herald-development-secret-do-not-use-in-production';
const DEV_API_KEY = 'herald-development-api-key';

const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine(
      (v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v),
      `${name} must be true or false`,
    )
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${name} must be between ${min} and ${max}`);

const url = (name: string, protocols: string[]) =>
  z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    );

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: int('PORT', 0, 65535).default(3000),
  WS_PATH: z
    .string()
    .trim()
    .regex(/^\/[\w\-./]*$/, 'WS_PATH must be an absolute path such as /socket.io/')
    .default('/socket.io/'),
  WS_TRANSPORTS: z
    .string()
    .trim()
    .default('websocket,polling')
    .transform((v) =>
      v
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.length > 0 && list.every((t) => t === 'websocket' || t === 'polling'),
      'WS_TRANSPORTS must list websocket and/or polling',
    ),
  CORS_ORIGIN: z
    .string()
    .default('http://localhost:3000,http://localhost:5173')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine(
      (list) => list.every((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)),
      'CORS_ORIGIN must be a comma-separated list of origins such as https://app.example.com',
    ),
  JWT_SECRET: z.string().min(1).optional(),
  JWT_PUBLIC_KEY: z.string().min(1).optional(),
  JWT_JWKS_URL: url('JWT_JWKS_URL', ['https:', 'http:']).optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_EXPIRES_IN_SECONDS: int('JWT_EXPIRES_IN_SECONDS', 10, 30 * 24 * 3600).default(3600),
  DATABASE_URL: z
    .string()
    .trim()
    .refine(
      (v) => v === 'memory://' || /^postgres(ql)?:\/\//.test(v),
      'DATABASE_URL must be postgres://… or memory://',
    )
    .optional(),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_POOL_SIZE: int('DATABASE_POOL_SIZE', 1, 200).default(10),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']).optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[\w\-.:]{1,64}$/, 'REDIS_KEY_PREFIX must be 1-64 letters, digits or - _ . :')
    .default('herald'),
  REDIS_COMMAND_TIMEOUT_MS: int('REDIS_COMMAND_TIMEOUT_MS', 50, 60_000).default(1_000),
  API_KEY: z.string().min(16, 'API_KEY must be at least 16 characters').optional(),
  DEMO_AUTH: bool('DEMO_AUTH').optional(),
  MAX_RECIPIENTS: int('MAX_RECIPIENTS', 1, 100_000).default(1_000),
  HTTP_BODY_LIMIT: z
    .string()
    .trim()
    .regex(/^\d+(b|kb|mb)?$/i, 'HTTP_BODY_LIMIT must look like 1mb, 512kb or 1048576')
    .default('1mb'),
  HTTP_RATE_LIMIT_PER_MINUTE: int('HTTP_RATE_LIMIT_PER_MINUTE', 1, 10_000_000).default(6_000),
  WS_MAX_MESSAGE_BYTES: int('WS_MAX_MESSAGE_BYTES', 1_024, 100 * 1024 * 1024).default(100_000),
  WS_RATE_LIMIT_BURST: int('WS_RATE_LIMIT_BURST', 1, 100_000).default(50),
  WS_RATE_LIMIT_PER_SECOND: int('WS_RATE_LIMIT_PER_SECOND', 1, 100_000).default(10),
  HANDSHAKE_RATE_LIMIT_BURST: int('HANDSHAKE_RATE_LIMIT_BURST', 1, 1_000_000).default(200),
  HANDSHAKE_RATE_LIMIT_PER_SECOND: int('HANDSHAKE_RATE_LIMIT_PER_SECOND', 1, 1_000_000).default(
    100,
  ),
  WS_MAX_SOCKETS_PER_IP: int('WS_MAX_SOCKETS_PER_IP', 1, 1_000_000).default(100),
  SHUTDOWN_TIMEOUT_MS: int('SHUTDOWN_TIMEOUT_MS', 100, 600_000).default(10_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable Herald reads; .env.example documents each (checked by a test). */
export const ENV_VARIABLES = Object.keys(envSchema.shape) as (keyof Env)[];

export interface AppConfig {
  env: Env['NODE_ENV'];
  host: string;
  port: number;
  wsPath: string;
  wsTransports: ('websocket' | 'polling')[];
  corsOrigins: string[];
  jwt: {
    secret?: string;
    publicKey?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    /** Lifetime of tokens minted by demo sign-in. */
    expiresInSeconds: number;
  };
  database:
    | { kind: 'pglite'; dataDir: string }
    | { kind: 'memory' }
    | { kind: 'postgres'; url: string; poolSize: number };
  redis?: { url: string; keyPrefix: string; commandTimeoutMs: number };
  apiKey?: string;
  demoAuth: boolean;
  limits: {
    maxRecipients: number;
    httpBodyLimit: string;
    httpRatePerMinute: number;
    wsMaxMessageBytes: number;
    wsRateBurst: number;
    wsRatePerSecond: number;
    handshakeBurst: number;
    handshakePerSecond: number;
    wsMaxSocketsPerIp: number;
  };
  shutdownTimeoutMs: number;
  log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT'] };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; throws ConfigError with one human line on the first problem. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings mean "unset", as in most .env tooling.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    const got = cleaned[variable];
    const shown = got === undefined || /SECRET|KEY/.test(variable) ? '' : ` (got "${got}")`;
    const message = issue.message.startsWith(variable)
      ? issue.message
      : `${variable}: ${issue.message}`;
    throw new ConfigError(`Invalid configuration: ${message}${shown}`);
  }
  const e = parsed.data;
  const development = e.NODE_ENV !== 'production';
  const demoAuth = e.DEMO_AUTH ?? development;

  if (e.NODE_ENV === 'production' && demoAuth) {
    throw new ConfigError(
      'Invalid configuration: DEMO_AUTH must be false when NODE_ENV=production',
    );
  }
  const hasVerifier = Boolean(e.JWT_SECRET || e.JWT_PUBLIC_KEY || e.JWT_JWKS_URL);
  if (!hasVerifier && !development) {
    throw new ConfigError(
      'Invalid configuration: JWT_SECRET (or JWT_PUBLIC_KEY / JWT_JWKS_URL) is required when NODE_ENV=production',
    );
  }
  if (e.JWT_PUBLIC_KEY && e.JWT_JWKS_URL) {
    throw new ConfigError('Invalid configuration: set only one of JWT_PUBLIC_KEY and JWT_JWKS_URL');
  }
  if (e.NODE_ENV === 'production' && e.JWT_SECRET && e.JWT_SECRET.length < 32) {
    throw new ConfigError(
      'Invalid configuration: JWT_SECRET must be at least 32 characters in production',
    );
  }
  if (e.NODE_ENV === 'production' && e.CORS_ORIGIN.includes('*')) {
    throw new ConfigError('Invalid configuration: CORS_ORIGIN must not be * in production');
  }
  if (demoAuth && (e.JWT_PUBLIC_KEY || e.JWT_JWKS_URL) && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: DEMO_AUTH needs JWT_SECRET to sign demo tokens');
  }

  const database: AppConfig['database'] =
    e.DATABASE_URL === undefined
      ? { kind: 'pglite', dataDir: e.DATA_DIR }
      : e.DATABASE_URL === 'memory://'
        ? { kind: 'memory' }
        : { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE };

  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    wsPath: e.WS_PATH,
    wsTransports: e.WS_TRANSPORTS as ('websocket' | 'polling')[],
    corsOrigins: e.CORS_ORIGIN,
    jwt: {
      // Development runs out of the box; production refuses to start without a secret (above).
      secret: e.JWT_SECRET ?? (hasVerifier ? undefined : DEV_JWT_SECRET),
      publicKey: e.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n'),
      jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      expiresInSeconds: e.JWT_EXPIRES_IN_SECONDS,
    },
    database,
    redis: e.REDIS_URL
      ? {
          url: e.REDIS_URL,
          keyPrefix: e.REDIS_KEY_PREFIX,
          commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
        }
      : undefined,
    apiKey: e.API_KEY ?? (development ? DEV_API_KEY : undefined),
    demoAuth,
    limits: {
      maxRecipients: e.MAX_RECIPIENTS,
      httpBodyLimit: e.HTTP_BODY_LIMIT,
      httpRatePerMinute: e.HTTP_RATE_LIMIT_PER_MINUTE,
      wsMaxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      wsRateBurst: e.WS_RATE_LIMIT_BURST,
      wsRatePerSecond: e.WS_RATE_LIMIT_PER_SECOND,
      handshakeBurst: e.HANDSHAKE_RATE_LIMIT_BURST,
      handshakePerSecond: e.HANDSHAKE_RATE_LIMIT_PER_SECOND,
      wsMaxSocketsPerIp: e.WS_MAX_SOCKETS_PER_IP,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
  };
}

/** Injection token for the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
