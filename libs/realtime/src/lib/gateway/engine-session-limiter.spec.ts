import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { claimPrepaidHandshake, EngineSessionLimiter } from './engine-session-limiter';

/** An Engine.IO connection as the limiter sees it, from `address` behind a loopback proxy. */
class FakeConnection extends EventEmitter {
  readonly written: string[] = [];
  closed = false;
  readonly request: IncomingMessage;

  constructor(address: string) {
    super();
    this.request = {
      socket: { remoteAddress: '127.0.0.1' },
      headers: { 'x-forwarded-for': address },
    } as unknown as IncomingMessage;
  }

  write(data: string) {
    this.written.push(data);
  }

  close() {
    this.closed = true;
    this.emit('close');
  }
}

function setUp(options: { max: number; allowance: (key: string) => boolean | Promise<boolean> }) {
  const engine = new EventEmitter();
  const limiter = new EngineSessionLimiter({
    maxSocketsPerAddress: options.max,
    takeHandshake: options.allowance,
  });
  limiter.track(engine as never);
  const open = (address: string) => {
    const connection = new FakeConnection(address);
    engine.emit('connection', connection);
    return connection;
  };
  return { limiter, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('EngineSessionLimiter', () => {
  it('counts open sessions per address and frees a place when one closes', async () => {
    const { limiter, open } = setUp({ max: 2, allowance: () => true });
    const first = open('198.51.100.1');
    open('198.51.100.1');
    expect(limiter.openSessions('198.51.100.1')).toBe(2);
    expect(limiter.isOverCap(first.request)).toBe(true);
    first.close();
    expect(limiter.openSessions('198.51.100.1')).toBe(1);
    expect(limiter.isOverCap(first.request)).toBe(false);
  });

  it('closes a session past the cap with a RATE_LIMITED CONNECT_ERROR', async () => {
    const { open } = setUp({ max: 1, allowance: () => true });
    open('198.51.100.2');
    const extra = open('198.51.100.2');
    expect(extra.closed).toBe(true);
    expect(JSON.parse(extra.written[0].slice(1))).toMatchObject({
      data: { code: 'RATE_LIMITED' },
    });
  });

  it('charges every session once to the handshake limit and marks it prepaid', async () => {
    const charged: string[] = [];
    const { open } = setUp({
      max: 10,
      allowance: async (key) => (charged.push(key), charged.length <= 1),
    });
    const paid = open('2001:db8::1');
    const refused = open('2001:db8::2');
    // A CONNECT that arrives before the limiter in Redis answered waits for its answer.
    const early = claimPrepaidHandshake(paid);
    expect(early).toBeInstanceOf(Promise);
    expect(await early).toBe(true);
    await settle();
    expect(charged).toEqual(['2001:db8:0:0::/64', '2001:db8:0:0::/64']);
    expect(claimPrepaidHandshake(paid)).toBe(false);
    expect(paid.closed).toBe(false);
    expect(refused.closed).toBe(true);
    expect(await claimPrepaidHandshake(refused)).toBe(false);
  });

  it('charges a session at once when the limiter answers at once (counters in this process)', () => {
    let left = 1;
    const { open } = setUp({ max: 10, allowance: () => left-- > 0 });
    const paid = open('198.51.100.4');
    const refused = open('198.51.100.4');
    expect(claimPrepaidHandshake(paid)).toBe(true);
    expect(claimPrepaidHandshake(paid)).toBe(false);
    expect(refused.closed).toBe(true);
    expect(JSON.parse(refused.written[0].slice(1))).toMatchObject({
      data: { code: 'RATE_LIMITED' },
    });
    expect(claimPrepaidHandshake(refused)).toBe(false);
  });

  it('lets a session on when the limiter fails, without marking it prepaid', async () => {
    const { open } = setUp({
      max: 10,
      allowance: () => {
        throw new Error('limiter down');
      },
    });
    const session = open('198.51.100.3');
    await settle();
    expect(session.closed).toBe(false);
    expect(await claimPrepaidHandshake(session)).toBe(false);
  });
});
