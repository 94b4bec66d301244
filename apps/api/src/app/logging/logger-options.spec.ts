import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger as NestLogger } from '@nestjs/common';
import { pinoHttp, type Options as PinoHttpOptions } from 'pino-http';
import { Logger, PinoLogger } from 'nestjs-pino';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import type { AppConfig } from '../config/app-config';
import { loggerParams } from './logger-options';
import { prettyStream } from './pretty-stream';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';

/** The app's Nest-facing logger (nestjs-pino over the app's pino options), writing to an array. */
function capture(level: AppConfig['log']['level'] = 'log') {
  const lines: string[] = [];
  __resetOutOfContextForTests();
  const params = loggerParams(
    { level, format: 'json' },
    { write: (line: string) => void lines.push(line.trimEnd()) },
  );
  const logger = new Logger(new PinoLogger(params), params);
  return {
    logger,
    lines,
    parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('app logger (nestjs-pino)', () => {
  afterEach(() => __resetOutOfContextForTests());

  it('writes one JSON object per line with time, Nest level name, context and msg', () => {
    const { logger, parsed } = capture();
    logger.log('started', 'Bootstrap');
    const [line] = parsed();
    expect(line).toMatchObject({ level: 'log', context: 'Bootstrap', msg: 'started' });
    expect(new Date(line['time'] as string).toISOString()).toBe(line['time']);
    expect(line).not.toHaveProperty('pid');
    expect(line).not.toHaveProperty('hostname');
  });

  it('keeps the structured fields of an object message (the listening line the e2e harness reads)', () => {
    const { logger, lines } = capture();
    logger.log({ msg: 'Herald listening on http://localhost:4321/api', port: 4321 }, 'Bootstrap');
    expect(lines[0]).toContain('Herald listening');
    expect(lines[0]).toMatch(/"port":4321/);
  });

  it('serves the Nest Logger of every class once installed', () => {
    const { logger, parsed } = capture();
    NestLogger.overrideLogger(logger);
    try {
      new NestLogger('Realtime').warn({ msg: 'refused', code: 'RATE_LIMITED' });
    } finally {
      NestLogger.overrideLogger(true);
    }
    expect(parsed()[0]).toMatchObject({
      level: 'warn',
      context: 'Realtime',
      msg: 'refused',
      code: 'RATE_LIMITED',
    });
  });

  it('never writes a JWT or a bearer token', () => {
    const { logger, lines } = capture();
    logger.warn(`refused token ${JWT}`, 'Auth');
    logger.log({
      msg: 'handshake',
      headers: { authorization: `Bearer ${JWT}` },
      auth: { token: JWT },
      url: `/socket.io/?token=${JWT}`,
    });
    logger.log({ msg: 'detail', note: `header was Bearer opaque-credential-42` });
    logger.error({ msg: 'failed', err: new Error(`bad token ${JWT}`) }, undefined, 'Auth');
    const text = lines.join('\n');
    expect(text).not.toContain(JWT);
    expect(text).not.toContain('opaque-credential-42');
    expect(text).toContain('[redacted]');
  });

  it('redacts values of keys that name credentials, nested ones included', () => {
    const { logger, parsed } = capture();
    logger.log({
      msg: 'config',
      apiKey: 'super-secret-key-123',
      'x-api-key': 'abc',
      port: 3000,
      req: { headers: { cookie: 'sid=1', 'x-api-key': 'def', accept: 'json' } },
      user: { password: 'hunter2' },
    });
    expect(parsed()[0]).toMatchObject({
      apiKey: '[redacted]',
      'x-api-key': '[redacted]',
      port: 3000,
      req: { headers: { cookie: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' } },
      user: { password: '[redacted]' },
    });
  });

  it('logs an Error with its message and a redacted stack', () => {
    const { logger, parsed } = capture();
    logger.error(new Error(`expired ${JWT}`), 'Auth');
    const [line] = parsed();
    expect(line).toMatchObject({ level: 'error', context: 'Auth' });
    expect(line['err']).toMatchObject({ type: 'Error', message: 'expired [redacted]' });
    expect(JSON.stringify(line)).not.toContain(JWT);
  });

  it('never throws on odd `err` values: a string, an error without a stack, an AggregateError', () => {
    const { logger, parsed } = capture();
    const stackless = new Error(`no stack ${JWT}`);
    stackless.stack = undefined;
    logger.warn({ msg: 'a', err: `failed with ${JWT}` });
    logger.warn({ msg: 'b', err: stackless });
    logger.warn({ msg: 'c', err: new AggregateError([new Error('x')], 'all failed') });
    logger.warn({ msg: 'd', err: null });
    expect(parsed().map((l) => l['msg'])).toEqual(['a', 'b', 'c', 'd']);
    expect(JSON.stringify(parsed())).not.toContain(JWT);
  });

  it('drops messages below the configured level', () => {
    const { logger, lines } = capture('log');
    logger.debug('noise');
    logger.verbose('more noise');
    expect(lines).toHaveLength(0);
  });

  it('maps LOG_LEVEL=verbose to every line, named as Nest names them', () => {
    const { logger, parsed } = capture('verbose');
    logger.verbose('detail');
    logger.debug('less detail');
    expect(parsed().map((l) => l['level'])).toEqual(['verbose', 'debug']);
  });

  it('mounts no request middleware below debug, and logs requests at debug', () => {
    expect(loggerParams({ level: 'log', format: 'json' }, { write: () => true }).forRoutes).toEqual(
      [],
    );
    const verbose = loggerParams({ level: 'debug', format: 'json' }, { write: () => true });
    expect(verbose.forRoutes).toBeUndefined();
    expect(verbose.pinoHttp).toMatchObject({ autoLogging: true });
  });
});

describe('request lines at LOG_LEVEL=debug', () => {
  it('censor the Authorization, x-api-key and cookie headers and credentials in the query', async () => {
    const lines: string[] = [];
    const params = loggerParams(
      { level: 'debug', format: 'json' },
      { write: (line: string) => void lines.push(line) },
    );
    const middleware = pinoHttp(params.pinoHttp as PinoHttpOptions);
    const server = createServer((req, res) => {
      middleware(req, res);
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      await (
        await fetch(`http://127.0.0.1:${port}/api/notifications?token=opaque-query-token`, {
          headers: { authorization: `Bearer ${JWT}`, 'x-api-key': 'service-key-1', cookie: 'a=b' },
        })
      ).text();
      await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0));
    } finally {
      server.close();
    }
    const line = JSON.parse(lines[0]) as { level: string; req: { url: string; headers: object } };
    expect(line.level).toBe('debug');
    expect(line.req.url).toBe('/api/notifications?token=[redacted]');
    expect(line.req.headers).toMatchObject({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
    });
    const text = lines.join('\n');
    for (const secret of [JWT, 'opaque-query-token', 'service-key-1']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('prettyStream', () => {
  it('prints time, level, context, message and the other fields on one line', () => {
    const out: string[] = [];
    prettyStream({ write: (t: string) => out.push(t) }).write(
      JSON.stringify({ time: 't', level: 'warn', context: 'Auth', msg: 'hello', code: 'X' }) + '\n',
    );
    expect(out).toEqual(['t WARN    [Auth] hello {"code":"X"}\n']);
  });
});
