import { clientAddress, rateLimitKeyFor } from './client-address';

describe('rateLimitKeyFor', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:0:0:1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('keys %s as %s', (address, key) => {
    expect(rateLimitKeyFor(address)).toBe(key);
  });

  it('gives every address of one /64 the same key and neighbouring /64s different ones', () => {
    const keys = ['2001:db8:a:b::1', '2001:db8:a:b:ffff:ffff:ffff:ffff', '2001:db8:a:b:1::9'].map(
      rateLimitKeyFor,
    );
    expect(new Set(keys).size).toBe(1);
    expect(rateLimitKeyFor('2001:db8:a:c::1')).not.toBe(keys[0]);
  });
});

describe('clientAddress', () => {
  it('reads X-Forwarded-For only from a loopback peer', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.4')).toBe('198.51.100.4');
    expect(clientAddress('198.51.100.9', '198.51.100.4')).toBe('198.51.100.9');
    expect(clientAddress('::1', '127.0.0.1, 2001:db8::7')).toBe('2001:db8::7');
  });
});
