import { createPublicKey } from 'node:crypto';
import { z } from 'zod';

/**
 * Configuration from the environment. Validated once at start-up; a bad value
 * stops the process with one line naming the variable (see ConfigError).
 */

/** Used only when nothing is configured outside production; refused in production. */
export const DEV_JWT_SECRET = 'herald-development-secret-do-not-use-in-production';
export const DEV_API_KEY = 'herald-development-api-key';

/** Registered claims that say nothing about who the user is. */
const NON_IDENTITY_CLAIMS = ['exp', 'nbf', 'iat', 'iss', 'aud', 'jti'];

/** A JWT claim name: printable ASCII without spaces (URL-style names such as Auth0's work). */
const claimName = (name: string, fallback: string) =>
  z
    .string()
    .trim()
    .regex(
      /^[\x21-\x7e]{1,256}$/,
      `${name} must be a claim name without spaces, such as ${fallback}`,
    )
    .refine(
      (v) => !NON_IDENTITY_CLAIMS.includes(v),
      `${name} must name an identity claim, not ${NON_IDENTITY_CLAIMS.join('/')}`,
    )
    .default(fallback);

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

const seconds = (name: string, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `${name} must be a number of seconds such as 60 or 0.5`)
    .transform(Number)
    .refine((n) => n <= max, `${name} must be at most ${max}`);

/** `whsec_` + base64 of at least 24 random bytes (the Standard Webhooks secret format). */
const webhookSecret = z
  .string()
  .trim()
  .refine((v) => {
    const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(v);
    return match !== null && Buffer.from(match[1] as string, 'base64').length >= 24;
  }, 'WEBHOOK_SECRET must be "whsec_" followed by the base64 of at least 24 random bytes');

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
  JWT_USER_ID_CLAIM: claimName('JWT_USER_ID_CLAIM', 'sub'),
  JWT_EMAIL_CLAIM: claimName('JWT_EMAIL_CLAIM', 'email'),
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
  NOTIFICATION_DATA_MAX_BYTES: int('NOTIFICATION_DATA_MAX_BYTES', 64, 1024 * 1024).default(16_384),
  SEND_MAX_BYTES: int('SEND_MAX_BYTES', 1_024, 1024 * 1024 * 1024).default(32 * 1024 * 1024),
  RETENTION_DAYS: int('RETENTION_DAYS', 0, 36_500).default(90),
  SWEEP_INTERVAL_MS: int('SWEEP_INTERVAL_MS', 50, 3_600_000).default(15_000),
  NOTIFICATION_WRITE_INTERVAL_MS: int('NOTIFICATION_WRITE_INTERVAL_MS', 0, 1_000).default(10),
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
  ESCALATION_DELAY_SECONDS: seconds('ESCALATION_DELAY_SECONDS', 7 * 24 * 3600).default(60),
  ESCALATION_POLL_INTERVAL_MS: int('ESCALATION_POLL_INTERVAL_MS', 10, 60_000).default(1_000),
  ESCALATION_WEBHOOK_URL: url('ESCALATION_WEBHOOK_URL', ['https:', 'http:']).optional(),
  WEBHOOK_SECRET: webhookSecret.optional(),
  WEBHOOK_RETRY_SECONDS: z
    .string()
    .trim()
    .default('5,30,300,1800,7200')
    .refine(
      (v) => v.split(',').every((part) => /^\d+(\.\d+)?$/.test(part.trim())),
      'WEBHOOK_RETRY_SECONDS must be a comma-separated list of seconds such as 5,30,300',
    )
    .transform((v) => v.split(',').map((part) => Number(part.trim())))
    .refine(
      (list) => list.length >= 1 && list.length <= 20 && list.every((n) => n <= 7 * 24 * 3600),
      'WEBHOOK_RETRY_SECONDS must list 1 to 20 delays of at most a week each',
    ),
  ESCALATION_TIMEOUT_MS: int('ESCALATION_TIMEOUT_MS', 100, 120_000).default(10_000),
  SMTP_URL: url('SMTP_URL', ['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z
    .string()
    .trim()
    .regex(
      /^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/,
      'MAIL_FROM must be an address such as herald@example.com or "Herald <herald@example.com>"',
    )
    .optional(),
  WS_MAX_SOCKETS_PER_IP: int('WS_MAX_SOCKETS_PER_IP', 1, 1_000_000).default(100),
  PUBLISH_MAX_IN_FLIGHT: int('PUBLISH_MAX_IN_FLIGHT', 0, 1_000_000).default(64),
  PUBLISH_MAX_EVENT_LOOP_DELAY_MS: int('PUBLISH_MAX_EVENT_LOOP_DELAY_MS', 0, 60_000).default(100),
  PUBLISH_MAX_EVENT_LOOP_UTILIZATION: z
    .string()
    .trim()
    .regex(
      /^(0(\.\d+)?|1(\.0+)?)$/,
      'PUBLISH_MAX_EVENT_LOOP_UTILIZATION must be a number from 0 to 1, such as 0.95',
    )
    .transform(Number)
    .default(0.95),
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
    /** The claim that carries the user id (JWT_USER_ID_CLAIM). */
    userIdClaim: string;
    /** The claim that carries the e-mail address (JWT_EMAIL_CLAIM). */
    emailClaim: string;
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
    /** Largest `data` of one notification, serialized as JSON, in bytes. */
    notificationDataMaxBytes: number;
    /** Largest total one send may write: recipients × the size of its content, in bytes. */
    sendMaxBytes: number;
    httpBodyLimit: string;
    httpRatePerMinute: number;
    wsMaxMessageBytes: number;
    wsRateBurst: number;
    wsRatePerSecond: number;
    handshakeBurst: number;
    handshakePerSecond: number;
    wsMaxSocketsPerIp: number;
  };
  /**
   * Load shedding of the publish endpoints (503 OVERLOADED past either bound; 0 turns a
   * bound off).
   */
  publishShedding: {
    /** Publish requests being handled at once (received, response not yet finished). */
    maxInFlight: number;
    /** Mean event-loop delay over the last sampling window, in milliseconds. */
    maxEventLoopDelayMs: number;
    /** Event-loop utilization (0–1) that, sustained, starts shedding a share of publishes. */
    maxEventLoopUtilization: number;
  };
  /** The sweeper: expired notifications, read ones past retention, expired idempotency keys. */
  sweeper: { intervalMs: number; retentionDays: number };
  /**
   * Group commit of sends: a new INSERT starts at most every `intervalMs` while sends keep
   * coming (0: as soon as the previous one finished).
   */
  notificationWrites: { intervalMs: number };
  escalation: {
    /** Default delay before a notification no device received is escalated. */
    delaySeconds: number;
    /** How often each process looks for due escalations. */
    pollIntervalMs: number;
    /** Delays before each retry of a failed attempt (the attempts are one more). */
    retrySeconds: number[];
    webhook?: { url: string; secret: string; timeoutMs: number };
    email?: { smtpUrl: string; from: string; timeoutMs: number };
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
  const production = e.NODE_ENV === 'production';
  const hasVerifier = Boolean(e.JWT_SECRET || e.JWT_PUBLIC_KEY || e.JWT_JWKS_URL);
  // Zero configuration (development, no key of any kind) is the only case that falls back
  // to built-in values: the demo secret, the demo API key and demo sign-in. Anything
  // configured means a real deployment, where those would be a back door.
  const zeroConfig = !production && !hasVerifier;
  const demoAuth = e.DEMO_AUTH ?? zeroConfig;
  const invalid = (message: string) => new ConfigError(`Invalid configuration: ${message}`);

  if (production && demoAuth) {
    throw invalid('DEMO_AUTH must be false when NODE_ENV=production');
  }
  if (!hasVerifier && production) {
    throw invalid(
      'JWT_SECRET (or JWT_PUBLIC_KEY / JWT_JWKS_URL) is required when NODE_ENV=production',
    );
  }
  if (production && e.JWT_SECRET === DEV_JWT_SECRET) {
    throw invalid('JWT_SECRET is the built-in development secret; set your own in production');
  }
  if (production && e.API_KEY === DEV_API_KEY) {
    throw invalid('API_KEY is the built-in development key; set your own in production');
  }
  if (e.JWT_PUBLIC_KEY && e.JWT_JWKS_URL) {
    throw invalid('set only one of JWT_PUBLIC_KEY and JWT_JWKS_URL');
  }
  const publicKey = e.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n');
  if (publicKey) {
    const problem = publicKeyProblem(publicKey);
    if (problem) throw invalid(`JWT_PUBLIC_KEY ${problem}`);
  }
  if (production && e.JWT_SECRET && e.JWT_SECRET.length < 32) {
    throw invalid('JWT_SECRET must be at least 32 characters in production');
  }
  if (production && e.CORS_ORIGIN.includes('*')) {
    throw invalid('CORS_ORIGIN must not be * in production');
  }
  if (demoAuth && (e.JWT_PUBLIC_KEY || e.JWT_JWKS_URL) && !e.JWT_SECRET) {
    throw invalid('DEMO_AUTH needs JWT_SECRET to sign demo tokens');
  }

  if (e.ESCALATION_WEBHOOK_URL && !e.WEBHOOK_SECRET) {
    throw new ConfigError(
      'Invalid configuration: ESCALATION_WEBHOOK_URL needs WEBHOOK_SECRET to sign the requests',
    );
  }
  if (e.SMTP_URL && !e.MAIL_FROM) {
    throw new ConfigError('Invalid configuration: SMTP_URL needs MAIL_FROM (the sender address)');
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
      secret: e.JWT_SECRET ?? (zeroConfig ? DEV_JWT_SECRET : undefined),
      publicKey,
      jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      userIdClaim: e.JWT_USER_ID_CLAIM,
      emailClaim: e.JWT_EMAIL_CLAIM,
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
    apiKey: e.API_KEY ?? (zeroConfig ? DEV_API_KEY : undefined),
    demoAuth,
    limits: {
      maxRecipients: e.MAX_RECIPIENTS,
      notificationDataMaxBytes: e.NOTIFICATION_DATA_MAX_BYTES,
      sendMaxBytes: e.SEND_MAX_BYTES,
      httpBodyLimit: e.HTTP_BODY_LIMIT,
      httpRatePerMinute: e.HTTP_RATE_LIMIT_PER_MINUTE,
      wsMaxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      wsRateBurst: e.WS_RATE_LIMIT_BURST,
      wsRatePerSecond: e.WS_RATE_LIMIT_PER_SECOND,
      handshakeBurst: e.HANDSHAKE_RATE_LIMIT_BURST,
      handshakePerSecond: e.HANDSHAKE_RATE_LIMIT_PER_SECOND,
      wsMaxSocketsPerIp: e.WS_MAX_SOCKETS_PER_IP,
    },
    publishShedding: {
      maxInFlight: e.PUBLISH_MAX_IN_FLIGHT,
      maxEventLoopDelayMs: e.PUBLISH_MAX_EVENT_LOOP_DELAY_MS,
      maxEventLoopUtilization: e.PUBLISH_MAX_EVENT_LOOP_UTILIZATION,
    },
    sweeper: { intervalMs: e.SWEEP_INTERVAL_MS, retentionDays: e.RETENTION_DAYS },
    notificationWrites: { intervalMs: e.NOTIFICATION_WRITE_INTERVAL_MS },
    escalation: {
      delaySeconds: e.ESCALATION_DELAY_SECONDS,
      pollIntervalMs: e.ESCALATION_POLL_INTERVAL_MS,
      retrySeconds: e.WEBHOOK_RETRY_SECONDS,
      webhook:
        e.ESCALATION_WEBHOOK_URL && e.WEBHOOK_SECRET
          ? {
              url: e.ESCALATION_WEBHOOK_URL,
              secret: e.WEBHOOK_SECRET,
              timeoutMs: e.ESCALATION_TIMEOUT_MS,
            }
          : undefined,
      email:
        e.SMTP_URL && e.MAIL_FROM
          ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, timeoutMs: e.ESCALATION_TIMEOUT_MS }
          : undefined,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
  };
}

/**
 * Why a PEM cannot verify tokens, or undefined when it can: Herald pins the algorithm to
 * the key (RS256 for RSA, ES256/384/512 by EC curve).
 */
function publicKeyProblem(pem: string): string | undefined {
  if (/PRIVATE KEY/.test(pem)) return 'must be the public key, not the private key';
  try {
    const key = createPublicKey(pem);
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    if (key.asymmetricKeyType === 'rsa') return undefined;
    if (key.asymmetricKeyType === 'ec' && ['prime256v1', 'secp384r1', 'secp521r1'].includes(curve))
      return undefined;
    return `must be an RSA or EC P-256/P-384/P-521 public key (got ${key.asymmetricKeyType} ${curve})`.trim();
  } catch {
    return 'is not a PEM public key (-----BEGIN PUBLIC KEY----- ...; write newlines as \\n on one line)';
  }
}

/** Injection token for the validated AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
