import { inject } from 'vitest';
import { RawSocket, type Frame } from '../hardening/raw-socket';
import {
  deleteKeysWithPrefix,
  mintToken,
  redisPrefixFor,
  startApi,
  TEST_REDIS_URL,
  waitFor,
  type ApiProcess,
} from '../../../../tools/testing/index.mjs';
import { presenceOf, servicePost } from './cluster-support';

/**
 * Connection state recovery may only hand a session back to the user it belonged to, and
 * only after the handshake authentication passed. socket.io-client buffers events that
 * arrive before CONNECT, so this speaks the wire protocol over a raw websocket and looks
 * at every frame the server writes.
 */
describe('connection state recovery after authentication only', () => {
  const runId = inject('runId');
  const prefix = redisPrefixFor(runId, 'recovery-auth');
  let api: ApiProcess;
  const raws: RawSocket[] = [];
  let userCounter = 0;
  const newUser = () => `recovery-auth-${process.pid}-${++userCounter}`;

  beforeAll(async () => {
    api = await startApi({ env: { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix } });
  });
  afterAll(async () => {
    for (const raw of raws) raw.close();
    await api?.stop();
    await deleteKeysWithPrefix(prefix);
  });

  const isEvent = (frame: Frame, event?: string) =>
    typeof frame === 'string' &&
    frame.startsWith(event === undefined ? '42' : `42${JSON.stringify([event]).slice(0, -1)}`);
  const parse = (frame: Frame) => JSON.parse((frame as string).slice(2)) as unknown[];

  async function sendXp(userId: string, totalXp: number): Promise<void> {
    const res = await servicePost(api, `/realtime/users/${userId}/events`, {
      event: 'xp:gained',
      payload: { amount: 1, source: 'recovery-auth', totalXp },
    });
    expect(res.status).toBeLessThan(300);
  }

  /**
   * Connects `userId`, receives one event (its stream offset is the recovery point), drops
   * the transport as a network blip would and emits one more event while it is away.
   * Resolves with what a recovering client would present: its `pid` and last `offset`.
   */
  async function sessionWithAMissedEvent(userId: string): Promise<{ pid: string; offset: string }> {
    const raw = await RawSocket.open(api.url);
    raws.push(raw);
    raw.send(`40${JSON.stringify({ token: await mintToken(userId) })}`);
    const connect = (await raw.waitFor(
      (f) => typeof f === 'string' && f.startsWith('40{'),
    )) as string;
    const { pid } = JSON.parse(connect.slice(2)) as { pid: string };
    expect(pid).toEqual(expect.any(String));
    await raw.waitFor((f) => isEvent(f, 'authenticated'));
    await sendXp(userId, 1);
    const live = parse(await raw.waitFor((f) => isEvent(f, 'xp:gained')));
    const offset = live[live.length - 1] as string;
    raw.close();
    // Presence is cleared after the session was persisted (same connection, in order).
    await waitFor(async () => !(await presenceOf(api, userId)).online, 5_000, 'disconnect seen');
    await sendXp(userId, 2);
    return { pid, offset };
  }

  it('never writes a missed event to a reconnect whose token is expired, before or after its connect_error', async () => {
    const userId = newUser();
    const { pid, offset } = await sessionWithAMissedEvent(userId);

    const raw = await RawSocket.open(api.url);
    raws.push(raw);
    const expired = await mintToken(userId, { expiresIn: -3_600 });
    raw.send(`40${JSON.stringify({ token: expired, pid, offset })}`);
    const refusal = (await raw.waitFor(
      (f) => typeof f === 'string' && f.startsWith('44'),
    )) as string;
    expect(JSON.parse(refusal.slice(2))).toMatchObject({ data: { code: 'TOKEN_EXPIRED' } });
    expect(raw.frames.filter((f) => isEvent(f))).toEqual([]);
  });

  it("does not hand user A's session to a reconnect with user B's valid token", async () => {
    const victim = newUser();
    const intruder = newUser();
    const { pid, offset } = await sessionWithAMissedEvent(victim);

    const raw = await RawSocket.open(api.url);
    raws.push(raw);
    raw.send(`40${JSON.stringify({ token: await mintToken(intruder), pid, offset })}`);
    const connect = (await raw.waitFor(
      (f) => typeof f === 'string' && f.startsWith('40{'),
    )) as string;
    await raw.waitFor((f) => isEvent(f, 'authenticated'));

    // Live events of A must not reach B either: B's own event is the marker that A's
    // (sent first) would have arrived by now.
    await sendXp(victim, 3);
    await sendXp(intruder, 100);
    await raw.waitFor((f) => isEvent(f, 'xp:gained') && JSON.stringify(f).includes('100'));
    const xp = raw.frames.filter((f) => isEvent(f, 'xp:gained')).map((f) => parse(f)[1]);
    expect(xp).toEqual([expect.objectContaining({ totalXp: 100 })]);
    // A fresh session: another pid, so the client knows it was not recovered and resyncs.
    expect((JSON.parse(connect.slice(2)) as { pid: string }).pid).not.toBe(pid);
  });

  it('still recovers the session of the same user, missed event included', async () => {
    const userId = newUser();
    const { pid, offset } = await sessionWithAMissedEvent(userId);

    const raw = await RawSocket.open(api.url);
    raws.push(raw);
    raw.send(`40${JSON.stringify({ token: await mintToken(userId), pid, offset })}`);
    const connect = (await raw.waitFor(
      (f) => typeof f === 'string' && f.startsWith('40{'),
    )) as string;
    expect((JSON.parse(connect.slice(2)) as { pid: string }).pid).toBe(pid);
    await raw.waitFor((f) => isEvent(f, 'xp:gained'));
    await raw.waitFor((f) => isEvent(f, 'authenticated'));
    const xp = raw.frames.filter((f) => isEvent(f, 'xp:gained')).map((f) => parse(f)[1]);
    expect(xp).toEqual([expect.objectContaining({ totalXp: 2 })]);
  });
});
