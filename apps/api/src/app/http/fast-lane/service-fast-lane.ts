import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { toHeraldError } from '@herald/realtime';
import { ErrorCode, HeraldError } from '@herald/ws-contracts';
import { httpErrorBody } from '../http-exception.filter';

/** What a fast route answers: a status, a JSON body, and any extra headers. */
export interface FastAnswer {
  status: number;
  body: unknown;
  headers?: OutgoingHttpHeaders;
}

/** A request the lane took: its path parameters, its parsed JSON body and its headers. */
export interface FastRequest {
  params: Readonly<Record<string, string>>;
  body: unknown;
  headers: IncomingMessage['headers'];
}

export interface FastRoute {
  /** The route pattern, as the HTTP metrics label it (`/api/realtime/users/:userId/events`). */
  pattern: string;
  handle(request: FastRequest): Promise<FastAnswer>;
}

/** Everything the lane needs from the application besides its routes. */
export interface FastLaneOptions {
  /** Largest body read, in bytes (HTTP_BODY_LIMIT); anything larger goes the long way. */
  bodyLimitBytes: number;
  /** True for the valid service key; any other caller goes the long way. */
  isServiceKey(value: string | string[] | undefined): boolean;
  /** Called once per answered request, for the HTTP metrics. */
  observe(method: string, route: string, status: number, seconds: number): void;
  /**
   * Asked before the body is read: true lets the request in; false means admission
   * answered it already (e.g. 503 when the process is overloaded).
   */
  admit?(res: ServerResponse): boolean;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const API_PREFIX = '/api/';
const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * The service endpoints' short way through the HTTP server. A backend publishing
 * notifications calls the same few endpoints thousands of times a second with a valid key
 * and a small JSON body; for those calls routing, middleware and the framework's request
 * pipeline cost several times what the publish itself costs. The lane answers exactly those
 * requests itself, before the framework sees them, by calling the same controller code:
 * `POST`, a route it knows, the valid `x-api-key`, `Content-Type: application/json`, no
 * `Content-Encoding`, no `Origin`, a `Content-Length` within the body limit. Every other
 * request (another caller, a browser, a compressed or oversized or chunked body) takes the
 * framework's way unchanged, so rate limits, CORS and the error answers of those cases stay
 * where they are. The decision is made on the headers alone, before a byte of the body is
 * read, so nothing is consumed from a request the lane passes on.
 */
export class ServiceFastLane {
  /** Routes by path segment count, then tried in order (few routes: a scan is fastest). */
  private readonly routes: Array<{ segments: string[]; route: FastRoute }> = [];

  constructor(private readonly options: FastLaneOptions) {}

  add(route: FastRoute): this {
    if (!route.pattern.startsWith(API_PREFIX)) throw new Error(`${route.pattern}: not under /api`);
    this.routes.push({ segments: route.pattern.slice(1).split('/'), route });
    return this;
  }

  /**
   * Puts the lane in front of the server's current request listeners (the framework's and
   * Socket.IO's): requests it does not take are handed to them untouched.
   */
  install(server: Server): void {
    const next = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.take(req, res)) return;
      for (const listener of next) listener.call(server, req, res);
    });
  }

  /** Serves the request and returns true, or returns false and leaves it untouched. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST' || !req.url?.startsWith(API_PREFIX)) return false;
    const match = this.match(req.url);
    if (!match) return false;
    const { headers } = req;
    if (headers.origin !== undefined || headers['content-encoding'] !== undefined) return false;
    const contentType = headers['content-type'];
    if (!contentType || !JSON_CONTENT_TYPE.test(contentType)) return false;
    const length = Number(headers['content-length']);
    if (!Number.isInteger(length) || length < 0 || length > this.options.bodyLimitBytes)
      return false;
    if (headers['transfer-encoding'] !== undefined) return false;
    if (!this.options.isServiceKey(headers['x-api-key'])) return false;
    if (this.options.admit && !this.options.admit(res)) return true;
    void this.serve(req, res, match.route, match.params, length);
    return true;
  }

  private async serve(
    req: IncomingMessage,
    res: ServerResponse,
    route: FastRoute,
    params: Record<string, string>,
    length: number,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    let answer: FastAnswer;
    try {
      const body = parseJson(await readBody(req, length));
      answer = await route.handle({ params, body, headers: req.headers });
    } catch (error) {
      answer = errorAnswer(error);
    }
    this.answer(res, answer);
    this.options.observe(
      'POST',
      route.pattern,
      answer.status,
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }

  private answer(res: ServerResponse, answer: FastAnswer): void {
    if (res.headersSent || res.destroyed) return;
    const json = answer.body === undefined ? '' : JSON.stringify(answer.body);
    // No browser security headers (frame options, HSTS…): they protect documents a browser
    // renders, and the lane never answers a browser (a request with `Origin` goes the long
    // way). Each header costs every publish its validation and bytes.
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    };
    if (answer.headers) Object.assign(headers, answer.headers);
    res.writeHead(answer.status, headers);
    res.end(json);
  }

  private match(url: string) {
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const segments = path.slice(1).split('/');
    for (const candidate of this.routes) {
      if (candidate.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < segments.length && matched; i++) {
        const expected = candidate.segments[i] as string;
        const actual = segments[i] as string;
        if (expected.startsWith(':')) {
          const value = actual === '' ? undefined : decodeSegment(actual);
          if (value === undefined) matched = false;
          else params[expected.slice(1)] = value;
        } else matched = expected === actual;
      }
      if (matched) return { route: candidate.route, params };
    }
    return undefined;
  }
}

/** An error as the HTTP filter answers it: status, `{ statusCode, message, error, code }`. */
function errorAnswer(exception: unknown): FastAnswer {
  const error = toHeraldError(exception);
  const headers: OutgoingHttpHeaders = {};
  if (error.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  return { status: error.status, body: httpErrorBody(error), headers };
}

/**
 * Reads exactly the announced length; a body that ends early or runs over is refused.
 *
 * Plain listeners, never `once`, on a request's objects: V8 comes to pretenure what `once`
 * allocates (most `once` listeners in a process sit on long-lived emitters, so it puts those
 * objects straight in the old generation), and an old object pointing at a young request
 * keeps the whole request alive through every young-generation collection after it ended.
 * With three `once` listeners per publish, each request was promoted to the old generation:
 * 1.8 MB survived each scavenge instead of 75 KB, scavenges took 8–10 ms instead of 1.5,
 * and the collector's threads spent ~25 µs per publish. `end` and `error` fire once anyway.
 */
function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= length) chunks.push(chunk);
    });
    req.on('end', () => {
      if (received !== length) {
        reject(
          new HeraldError(
            ErrorCode.InvalidPayload,
            'Request body size did not match content-length',
          ),
        );
      } else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/**
 * JSON as the framework's parser reads it: an empty body is `{}`, and only an object or an
 * array is a body (a bare string or number is refused like malformed JSON).
 */
function parseJson(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(text);
    } catch {
      // Answered below, as every other malformed body.
    }
  }
  throw new HeraldError(ErrorCode.InvalidPayload, 'Request body is not valid JSON');
}

/** A path segment as the framework hands it to a route; undefined when it cannot decode it. */
function decodeSegment(segment: string): string | undefined {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `HTTP_BODY_LIMIT` (`1mb`, `512kb`, `1048576`) in bytes, the way body-parser reads it. */
export function bodyLimitBytes(limit: string): number {
  const match = /^(\d+)(b|kb|mb)?$/i.exec(limit.trim());
  if (!match) throw new RangeError(`Not a body limit: ${limit}`);
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1;
  return Number(match[1]) * factor;
}
