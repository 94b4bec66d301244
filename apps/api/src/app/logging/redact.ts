/**
 * Secrets must never reach a log line. Structured fields are censored by key name through
 * pino's `redact` ({@link REDACTED_PATHS}); free text has no key, so JWTs and bearer
 * credentials inside messages, error texts and URLs are caught by pattern here.
 */
export const REDACTED = '[redacted]';

/** Key names whose values are credentials, wherever they appear. */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'jwtSecret',
  'clientSecret',
  'apiKey',
  'api_key',
  'x-api-key',
  'privateKey',
];

/** Deepest nesting searched: `req.headers.authorization`, `handshake.auth.token`. */
const MAX_DEPTH = 3;

function pathOf(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
}

/** pino `redact.paths`: every secret key at the top level and up to three levels deep. */
export const REDACTED_PATHS: string[] = SECRET_KEYS.flatMap((key) =>
  Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => {
    const leaf = pathOf(key);
    if (depth === 0) return leaf;
    return `${'*.'.repeat(depth).slice(0, -1)}${leaf.startsWith('[') ? '' : '.'}${leaf}`;
  }),
);

const JWT_PATTERN = /\beyJ[\w-]*\.[\w-]*\.[\w-]*/g;
const BEARER_PATTERN = /(bearer\s+)[^\s"',]+/gi;
const SECRET_QUERY_PARAM = /([?&](?:token|access_token|api_key|apikey|key)=)[^&#\s]*/gi;

/** `text` with JWTs, bearer credentials and credential query parameters replaced. */
export function redactText(text: string): string {
  return text
    .replace(JWT_PATTERN, REDACTED)
    .replace(BEARER_PATTERN, `$1${REDACTED}`)
    .replace(SECRET_QUERY_PARAM, `$1${REDACTED}`);
}
