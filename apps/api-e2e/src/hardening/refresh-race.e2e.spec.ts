import { mintToken, startApi, type ApiProcess } from '../../../../tools/testing/index.mjs';
import { uniqueUser } from './hardening-harness';
import { RawSocket } from './raw-socket';

const SOCKETS = 10;

/** The value of a metric without labels of its own in `/api/metrics` (default labels aside). */
async function metric(api: ApiProcess, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${api.url}/api/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function waitForMetric(api: ApiProcess, name: string, expected: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last: number | undefined;
  while (Date.now() < deadline) {
    last = await metric(api, name);
    if (last === expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} is ${last}, expected ${expected}`);
}

/**
 * Nothing may outlive its socket: an `auth:refresh` whose verification is still running
 * when the socket goes away must not arm a new expiry timer (which would keep the socket
 * and its request in memory until the token expires).
 */
describe('auth:refresh racing a disconnect', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('leaves no expiry timer behind for sockets that closed while their refresh was verified', async () => {
    const userId = uniqueUser('refresh-race');
    const sockets = await Promise.all(
      Array.from({ length: SOCKETS }, async () =>
        RawSocket.authenticated(api.url, await mintToken(userId)),
      ),
    );
    await waitForMetric(api, 'herald_ws_expiry_timers', SOCKETS);

    const fresh = await mintToken(userId, { expiresIn: 7_200 });
    for (const raw of sockets) {
      // The refresh, then at once a namespace disconnect (what socket.disconnect() sends):
      // the socket is gone while its token is still being verified.
      raw.send(`421${JSON.stringify(['auth:refresh', { token: fresh }])}`);
      raw.send('41');
    }
    await waitForMetric(api, 'herald_ws_users', 0);
    for (const raw of sockets) raw.close();
    // Give the refreshes time to finish: a connected bystander's own refresh is answered
    // after them (events are handled in order on one event loop).
    const bystander = await RawSocket.authenticated(api.url, await mintToken(userId));
    bystander.send(`421${JSON.stringify(['auth:refresh', { token: fresh }])}`);
    expect(await bystander.ack(1)).toEqual([expect.objectContaining({ ok: true })]);
    bystander.send('41');
    await waitForMetric(api, 'herald_ws_users', 0);
    bystander.close();

    expect(await metric(api, 'herald_ws_expiry_timers')).toBe(0);
  });
});
