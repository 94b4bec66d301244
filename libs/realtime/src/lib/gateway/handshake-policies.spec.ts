import { clientAddress } from './client-address';
import { OriginPolicy } from './origin-policy';

describe('OriginPolicy', () => {
  const policy = new OriginPolicy(['http://localhost:5173', 'https://app.example.com/']);

  it.each([
    ['http://localhost:5173', true],
    ['HTTPS://APP.EXAMPLE.COM', true],
    ['https://app.example.com', true],
    ['http://app.example.com', false],
    ['https://app.example.com.evil.net', false],
    ['http://localhost:5174', false],
    ['null', false],
    [undefined, true],
    ['', true],
  ])('judges Origin %j as allowed=%s', (origin, allowed) => {
    expect(policy.isAllowed(origin)).toBe(allowed);
  });

  it('allows any origin with *', () => {
    const any = new OriginPolicy(['*']);
    expect(any.isAllowed('https://whatever.example')).toBe(true);
    expect(any.corsOrigin()).toBe(true);
  });

  it('gives Socket.IO CORS the same normalised list', () => {
    expect(policy.corsOrigin()).toEqual(['http://localhost:5173', 'https://app.example.com']);
  });
});

describe('clientAddress', () => {
  it('counts the peer address when the peer is not a local proxy', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
  });

  it('trusts X-Forwarded-For only from a loopback proxy, taking the nearest outside hop', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('::ffff:127.0.0.1', '198.51.100.1, 127.0.0.1')).toBe('198.51.100.1');
  });

  it('ignores garbage in X-Forwarded-For', () => {
    expect(clientAddress('127.0.0.1', 'not-an-ip, <script>')).toBe('127.0.0.1');
  });
});
