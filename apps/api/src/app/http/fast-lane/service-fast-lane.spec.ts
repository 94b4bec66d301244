import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@herald/ws-contracts';
import { bodyLimitBytes, ServiceFastLane, type FastRequest } from './service-fast-lane';

const KEY = 'service-key';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('ServiceFastLane', () => {
  let server: Server;
  let port: number;
  let seen: FastRequest[];
  let passedOn: string[];
  let observed: Array<[string, number]>;
  let refuse = false;

  beforeEach(async () => {
    seen = [];
    passedOn = [];
    observed = [];
    refuse = false;
    server = createServer((req, res) => {
      // The framework's way: it reads whatever is left of the body itself.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        passedOn.push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
        res.writeHead(299).end('framework');
      });
    });
    new ServiceFastLane({
      bodyLimitBytes: 64,
      isServiceKey: (header) => header === KEY,
      observe: (_method, route, status) => observed.push([route, status]),
      admit: (res) => {
        if (!refuse) return true;
        res.writeHead(503, { 'retry-after': '1' }).end('{"code":"OVERLOADED"}');
        return false;
      },
    })
      .add({
        pattern: '/api/users/:userId/events',
        handle: async (request) => {
          seen.push(request);
          if (request.params['userId'] === 'boom') throw new Error('a bug');
          return { status: 202, body: { ok: true }, headers: { 'x-extra': '1' } };
        },
      })
      .install(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function send(
    path: string,
    body: string | Buffer,
    headers: Record<string, string | number> = {},
  ): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': KEY,
            'content-length': Buffer.byteLength(body),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers a qualifying request itself, with the route params, body and its headers', async () => {
    const reply = await send('/api/users/u%201/events?x=1', '{"event":"a"}');
    expect(reply.status).toBe(202);
    expect(JSON.parse(reply.body)).toEqual({ ok: true });
    expect(reply.headers['x-extra']).toBe('1');
    expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(seen[0]?.params).toEqual({ userId: 'u 1' });
    expect(seen[0]?.body).toEqual({ event: 'a' });
    expect(observed).toEqual([['/api/users/:userId/events', 202]]);
    expect(passedOn).toEqual([]);
  });

  it.each([
    ['another path', '/api/users/u1/other', {}],
    ['no service key', '/api/users/u1/events', { 'x-api-key': 'wrong' }],
    ['a form body', '/api/users/u1/events', { 'content-type': 'text/plain' }],
    ['a compressed body', '/api/users/u1/events', { 'content-encoding': 'gzip' }],
    ['a browser (Origin)', '/api/users/u1/events', { origin: 'http://example.test' }],
    ['an undecodable id', '/api/users/%E0%A4%A/events', {}],
  ])('passes %s on to the framework untouched', async (_label, path, headers) => {
    const reply = await send(path, '{"event":"a"}', headers);
    expect(reply.status).toBe(299);
    expect(passedOn).toEqual([`POST ${path} {"event":"a"}`]);
    expect(seen).toEqual([]);
  });

  it('passes a body over the limit on, so the framework answers 413', async () => {
    const body = JSON.stringify({ event: 'x'.repeat(100) });
    expect((await send('/api/users/u1/events', body)).status).toBe(299);
    expect(passedOn).toHaveLength(1);
  });

  it('answers malformed JSON and bare values as 400 INVALID_PAYLOAD, reads an empty body as {}', async () => {
    for (const body of ['{"a":', '"text"', '42']) {
      const reply = await send('/api/users/u1/events', body);
      expect(reply.status).toBe(400);
      expect(JSON.parse(reply.body)).toMatchObject({
        statusCode: 400,
        code: ErrorCode.InvalidPayload,
        message: 'Request body is not valid JSON',
      });
    }
    expect(seen).toEqual([]);
    expect((await send('/api/users/u1/events', '')).status).toBe(202);
    expect(seen[0]?.body).toEqual({});
  });

  it('leaves a refused request to admission, before reading its body or running the route', async () => {
    refuse = true;
    const reply = await send('/api/users/u1/events', '{}');
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('1');
    expect(seen).toEqual([]);
    expect(passedOn).toEqual([]);
  });

  it('serves with plain listeners, never `once`, so a finished request dies young', async () => {
    const onceCalls: string[] = [];
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      for (const [name, emitter] of [
        ['req', req],
        ['res', res],
      ] as const) {
        const once = emitter.once.bind(emitter);
        emitter.once = ((event: string, listener: (...args: unknown[]) => void) => {
          onceCalls.push(`${name}.${event}`);
          return once(event, listener);
        }) as typeof emitter.once;
      }
    });
    expect((await send('/api/users/u1/events', '{"event":"a"}')).status).toBe(202);
    expect((await send('/api/users/u1/events', '{"event":')).status).toBe(400);
    expect(onceCalls).toEqual([]);
  });

  it('answers a bug as 500 INTERNAL_ERROR without its details', async () => {
    const reply = await send('/api/users/boom/events', '{}');
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body)).toMatchObject({ code: ErrorCode.Internal });
    expect(reply.body).not.toContain('a bug');
  });
});

describe('bodyLimitBytes', () => {
  it('reads HTTP_BODY_LIMIT the way body-parser does', () => {
    expect(bodyLimitBytes('1mb')).toBe(1_048_576);
    expect(bodyLimitBytes('512kb')).toBe(524_288);
    expect(bodyLimitBytes('1000')).toBe(1000);
    expect(() => bodyLimitBytes('lots')).toThrow(RangeError);
  });
});
