import { API_MAIN } from '../../../tools/testing/index.mjs';
import { spawnSync } from 'node:child_process';

function runWith(env: Record<string, string>) {
  return spawnSync(process.execPath, [API_MAIN], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('start-up configuration', () => {
  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ NODE_ENV: 'production', API_KEY: 'x'.repeat(20) }, /JWT_SECRET/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), DEMO_AUTH: 'true' }, /DEMO_AUTH/],
    [{ DATABASE_URL: 'mysql://nope' }, /DATABASE_URL/],
    [{ REDIS_URL: 'http://nope' }, /REDIS_URL/],
    [{ CORS_ORIGIN: 'not an origin' }, /CORS_ORIGIN/],
    // The built-in development values the README prints never open a production deployment.
    [
      { NODE_ENV: 'production', JWT_SECRET: 'herald-development-secret-do-not-use-in-production' },
      /JWT_SECRET/,
    ],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), API_KEY: 'herald-development-api-key' },
      /API_KEY/,
    ],
    // A key that does not parse is a configuration line, not a stack trace.
    [{ JWT_PUBLIC_KEY: 'not-a-pem', DEMO_AUTH: 'false' }, /JWT_PUBLIC_KEY/],
    [
      {
        JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nMIIBIjANBgkq\\n-----END PUBLIC KEY-----',
        DEMO_AUTH: 'false',
      },
      /JWT_PUBLIC_KEY/,
    ],
    [{ JWT_USER_ID_CLAIM: 'user id' }, /JWT_USER_ID_CLAIM/],
  ])('refuses %j with one line naming the variable', (env, variable) => {
    const result = runWith(env);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid configuration: /);
    expect(lines[0]).toMatch(variable);
  });
});
