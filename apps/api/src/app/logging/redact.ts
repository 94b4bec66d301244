/**
 * Secrets must never reach a log line: JWTs anywhere in text, and values of keys that
 * name credentials. Applied to every message and structured field the logger writes.
 */
const JWT_PATTERN = /\beyJ[\w-]*\.[\w-]*\.[\w-]*/g;
const BEARER_PATTERN = /(bearer\s+)[^\s"',]+/gi;
const SECRET_KEY = /(token|authorization|secret|password|api[-_]?key|cookie|private)/i;

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  return text.replace(JWT_PATTERN, REDACTED).replace(BEARER_PATTERN, `$1${REDACTED}`);
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message),
      stack: value.stack && redactText(value.stack),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}
