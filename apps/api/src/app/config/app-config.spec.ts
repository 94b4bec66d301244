import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, DEV_API_KEY, DEV_JWT_SECRET, loadConfig } from './app-config';

const pem = (key: { export(o: { type: 'spki'; format: 'pem' }): string | Buffer }) =>
  key.export({ type: 'spki', format: 'pem' }).toString();
const rsaPublicPem = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);

describe('loadConfig', () => {
  it('runs in development with embedded defaults and nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      wsPath: '/socket.io/',
      corsOrigins: ['http://localhost:3000', 'http://localhost:5173'],
      database: { kind: 'pglite', dataDir: './data' },
      redis: undefined,
      demoAuth: true,
    });
    expect(config.jwt.secret).toBeTruthy();
    expect(config.limits).toMatchObject({
      maxRecipients: 1000,
      wsRateBurst: 50,
      wsRatePerSecond: 10,
      wsMaxMessageBytes: 100_000,
    });
  });

  it('reads every documented variable', () => {
    const config = loadConfig({
      PORT: '8080',
      WS_PATH: '/ws/',
      CORS_ORIGIN: 'https://a.example.com, https://b.example.com',
      JWT_SECRET: 's3cret',
      JWT_ISSUER: 'auth.example.com',
      JWT_AUDIENCE: 'herald',
      DATABASE_URL: 'postgres://u@db:5432/herald',
      REDIS_URL: 'redis://cache:6379',
      REDIS_KEY_PREFIX: 'prod-eu',
      API_KEY: 'a-service-key-of-some-length',
      DEMO_AUTH: 'false',
    });
    expect(config).toMatchObject({
      port: 8080,
      wsPath: '/ws/',
      corsOrigins: ['https://a.example.com', 'https://b.example.com'],
      jwt: { secret: 's3cret', issuer: 'auth.example.com', audience: 'herald' },
      database: { kind: 'postgres', url: 'postgres://u@db:5432/herald' },
      redis: { url: 'redis://cache:6379', keyPrefix: 'prod-eu' },
      apiKey: 'a-service-key-of-some-length',
      demoAuth: false,
    });
  });

  it('keeps nothing with memory://', () => {
    expect(loadConfig({ DATABASE_URL: 'memory://' }).database).toEqual({ kind: 'memory' });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' })).toMatchObject({ port: 3000, redis: undefined });
  });

  it.each([
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '3.5' }, 'PORT'],
    [{ WS_PATH: 'socket' }, 'WS_PATH'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ DEMO_AUTH: 'maybe' }, 'DEMO_AUTH'],
    [{ API_KEY: 'short' }, 'API_KEY'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DEMO_AUTH: 'true' }, 'DEMO_AUTH'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ JWT_PUBLIC_KEY: 'k', JWT_JWKS_URL: 'https://x/jwks' }, 'JWT_PUBLIC_KEY'],
    [{ JWT_PUBLIC_KEY: 'not a key' }, 'JWT_PUBLIC_KEY'],
    [
      { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' },
      'JWT_PUBLIC_KEY',
    ],
    [{ NODE_ENV: 'production', JWT_SECRET: DEV_JWT_SECRET }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), API_KEY: DEV_API_KEY }, 'API_KEY'],
    [{ JWT_USER_ID_CLAIM: 'user id' }, 'JWT_USER_ID_CLAIM'],
    [{ JWT_USER_ID_CLAIM: 'exp' }, 'JWT_USER_ID_CLAIM'],
    [{ JWT_EMAIL_CLAIM: 'e\u0000mail' }, 'JWT_EMAIL_CLAIM'],
    [{ ESCALATION_DELAY_SECONDS: '-1' }, 'ESCALATION_DELAY_SECONDS'],
    [{ ESCALATION_WEBHOOK_URL: 'ftp://hooks.example.com' }, 'ESCALATION_WEBHOOK_URL'],
    [{ ESCALATION_WEBHOOK_URL: 'https://hooks.example.com' }, 'WEBHOOK_SECRET'],
    [{ WEBHOOK_SECRET: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, 'WEBHOOK_SECRET'],
    [{ WEBHOOK_SECRET: `whsec_${Buffer.from('too short').toString('base64')}` }, 'WEBHOOK_SECRET'],
    [{ WEBHOOK_RETRY_SECONDS: '5,soon' }, 'WEBHOOK_RETRY_SECONDS'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://localhost:25' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM'],
    [{ PUBLISH_MAX_IN_FLIGHT: '-1' }, 'PUBLISH_MAX_IN_FLIGHT'],
    [{ PUBLISH_MAX_IN_FLIGHT: 'lots' }, 'PUBLISH_MAX_IN_FLIGHT'],
    [{ PUBLISH_MAX_IN_FLIGHT: '1000001' }, 'PUBLISH_MAX_IN_FLIGHT'],
    [{ PUBLISH_MAX_EVENT_LOOP_DELAY_MS: '2.5' }, 'PUBLISH_MAX_EVENT_LOOP_DELAY_MS'],
    [{ PUBLISH_MAX_EVENT_LOOP_DELAY_MS: '60001' }, 'PUBLISH_MAX_EVENT_LOOP_DELAY_MS'],
    [{ PUBLISH_MAX_EVENT_LOOP_UTILIZATION: '1.5' }, 'PUBLISH_MAX_EVENT_LOOP_UTILIZATION'],
    [{ PUBLISH_MAX_EVENT_LOOP_UTILIZATION: 'high' }, 'PUBLISH_MAX_EVENT_LOOP_UTILIZATION'],
  ])('refuses %j naming %s in one line', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(variable);
    expect(message).not.toContain('\n');
  });

  it('bounds the publish endpoints by default, and reads 0 as a bound turned off', () => {
    expect(loadConfig({}).publishShedding).toEqual({
      maxInFlight: 64,
      maxEventLoopDelayMs: 100,
      maxEventLoopUtilization: 0.95,
    });
    expect(
      loadConfig({
        PUBLISH_MAX_IN_FLIGHT: '0',
        PUBLISH_MAX_EVENT_LOOP_DELAY_MS: '0',
        PUBLISH_MAX_EVENT_LOOP_UTILIZATION: '0',
      }).publishShedding,
    ).toEqual({ maxInFlight: 0, maxEventLoopDelayMs: 0, maxEventLoopUtilization: 0 });
    expect(
      loadConfig({ PUBLISH_MAX_IN_FLIGHT: '8', PUBLISH_MAX_EVENT_LOOP_DELAY_MS: '25' })
        .publishShedding,
    ).toEqual({ maxInFlight: 8, maxEventLoopDelayMs: 25, maxEventLoopUtilization: 0.95 });
  });

  it('reads the escalation channels: fractional seconds, retry schedule, both channels', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const config = loadConfig({
      ESCALATION_DELAY_SECONDS: '0.5',
      WEBHOOK_RETRY_SECONDS: '0.2, 0.4',
      ESCALATION_WEBHOOK_URL: 'https://hooks.example.com/herald',
      WEBHOOK_SECRET: secret,
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'Herald <herald@example.com>',
    });
    expect(config.escalation).toEqual({
      delaySeconds: 0.5,
      pollIntervalMs: 1_000,
      retrySeconds: [0.2, 0.4],
      webhook: { url: 'https://hooks.example.com/herald', secret, timeoutMs: 10_000 },
      email: {
        smtpUrl: 'smtp://127.0.0.1:2525',
        from: 'Herald <herald@example.com>',
        timeoutMs: 10_000,
      },
    });
    expect(loadConfig({}).escalation).toMatchObject({
      delaySeconds: 60,
      retrySeconds: [5, 30, 300, 1800, 7200],
      webhook: undefined,
      email: undefined,
    });
  });

  it('never echoes a secret value in the error', () => {
    expect(() => loadConfig({ API_KEY: 'tiny' })).toThrow(/^(?!.*tiny).*$/);
  });

  it('refuses a private key, an Ed25519 key or an unsupported curve as JWT_PUBLIC_KEY', () => {
    const privatePem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => loadConfig({ JWT_PUBLIC_KEY: privatePem })).toThrow(
      /^Invalid configuration: JWT_PUBLIC_KEY must be the public key/,
    );
    expect(() =>
      loadConfig({ JWT_PUBLIC_KEY: pem(generateKeyPairSync('ed25519').publicKey) }),
    ).toThrow(/JWT_PUBLIC_KEY must be an RSA or EC/);
    expect(() =>
      loadConfig({
        JWT_PUBLIC_KEY: pem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey),
      }),
    ).toThrow(/JWT_PUBLIC_KEY must be an RSA or EC/);
  });

  it('accepts a PEM with its newlines written as \\n on one line', () => {
    const config = loadConfig({ JWT_PUBLIC_KEY: rsaPublicPem.replace(/\n/g, '\\n') });
    expect(config.jwt.publicKey).toBe(rsaPublicPem);
  });

  it('reads the user-id and e-mail claims, sub and email by default', () => {
    expect(loadConfig({}).jwt).toMatchObject({ userIdClaim: 'sub', emailClaim: 'email' });
    const config = loadConfig({
      JWT_USER_ID_CLAIM: 'https://herald.dev/user_id',
      JWT_EMAIL_CLAIM: 'mail',
    });
    expect(config.jwt).toMatchObject({
      userIdClaim: 'https://herald.dev/user_id',
      emailClaim: 'mail',
    });
  });

  it.each([
    ['JWT_SECRET', { JWT_SECRET: 'a-real-secret-shared-with-the-auth-service' }],
    ['JWT_PUBLIC_KEY', { JWT_PUBLIC_KEY: rsaPublicPem }],
    ['JWT_JWKS_URL', { JWT_JWKS_URL: 'https://auth.example.com/.well-known/jwks.json' }],
  ])(
    'turns demo sign-in and the built-in API key and secret off once %s is set (NODE_ENV unset)',
    (_name, env) => {
      const config = loadConfig(env);
      expect(config.demoAuth).toBe(false);
      expect(config.apiKey).toBeUndefined();
      expect(config.jwt.secret).not.toBe(DEV_JWT_SECRET);
    },
  );

  it('keeps demo sign-in on with a real secret only when DEMO_AUTH=true says so', () => {
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(40), DEMO_AUTH: 'true' }).demoAuth).toBe(true);
  });

  it('uses the built-in secret, API key and demo sign-in only when nothing is configured', () => {
    expect(loadConfig({})).toMatchObject({
      demoAuth: true,
      apiKey: DEV_API_KEY,
      jwt: { secret: DEV_JWT_SECRET },
    });
  });

  it('disables demo sign-in and the dev API key in production by default', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) });
    expect(config.demoAuth).toBe(false);
    expect(config.apiKey).toBeUndefined();
  });
});

describe('.env.example', () => {
  it('documents every variable the API reads, and nothing else', async () => {
    const { readFileSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    const text = readFileSync(resolve(__dirname, '../../../../../.env.example'), 'utf8');
    const documented = [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
    const { ENV_VARIABLES } = await import('./app-config');
    expect([...documented].sort()).toEqual([...ENV_VARIABLES].sort());
  });
});
