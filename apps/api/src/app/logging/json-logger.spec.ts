import { JsonLogger } from './json-logger';

function capture(level: 'log' | 'debug' = 'log') {
  const lines: string[] = [];
  const logger = new JsonLogger({ level, format: 'json', write: (l) => lines.push(l) });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l)) };
}

describe('JsonLogger', () => {
  it('writes one JSON object per line with level and context', () => {
    const { logger, parsed } = capture();
    logger.log('started', 'Bootstrap');
    expect(parsed()[0]).toMatchObject({ level: 'log', context: 'Bootstrap', msg: 'started' });
  });

  it('never writes a JWT or a bearer token', () => {
    const { logger, lines } = capture();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
    logger.warn(`refused token ${jwt}`, 'Auth');
    logger.log({
      msg: 'handshake',
      headers: { authorization: `Bearer ${jwt}` },
      auth: { token: jwt },
    });
    expect(lines.join('\n')).not.toContain(jwt);
    expect(lines.join('\n')).toContain('[redacted]');
  });

  it('redacts values of keys that name credentials', () => {
    const { logger, parsed } = capture();
    logger.log({ msg: 'config', apiKey: 'super-secret-key-123', 'x-api-key': 'abc', port: 3000 });
    expect(parsed()[0]).toMatchObject({
      apiKey: '[redacted]',
      'x-api-key': '[redacted]',
      port: 3000,
    });
  });

  it('drops messages below the configured level', () => {
    const { logger, lines } = capture('log');
    logger.debug('noise');
    logger.verbose('more noise');
    expect(lines).toHaveLength(0);
  });
});
