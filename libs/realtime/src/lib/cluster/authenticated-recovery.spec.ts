import type { Namespace } from 'socket.io';
import type { Adapter, Session } from 'socket.io-adapter';
import type { HeraldSocket } from '../gateway/socket-types';
import {
  deferRecoveryUntilAuthenticated,
  recoverAuthenticatedSession,
} from './authenticated-recovery';

/** An adapter whose restoreSession hands out one stored session, like the streams adapter's. */
function adapterWith(session: Session | undefined) {
  const restored: [string, string][] = [];
  const adapter = {
    restoreSession(pid: string, offset: string): Promise<Session> {
      restored.push([pid, offset]);
      return session ? Promise.resolve(session) : Promise.reject(new Error('not found'));
    },
  } as unknown as Adapter;
  const wrapped = deferRecoveryUntilAuthenticated(() => adapter)({} as Namespace);
  return { adapter: wrapped, restored };
}

function socketOf(adapter: Adapter, userId: string, auth: Record<string, unknown>) {
  const written: unknown[][] = [];
  const socket = {
    nsp: { adapter },
    handshake: { auth },
    data: { userId },
    pid: 'fresh-pid',
    recovered: false,
    packet: (packet: { data: unknown[] }) => written.push(packet.data),
  };
  return { socket: socket as unknown as HeraldSocket, raw: socket, written };
}

const sessionOf = (userId: string, rooms: string[]): Session => ({
  sid: 'old-sid',
  pid: 'old-pid',
  rooms: ['old-sid', `user:${userId}`, ...rooms],
  data: { userId },
  missedPackets: [['xp:gained', { totalXp: 2 }, '1-0']],
});

describe('connection state recovery after authentication', () => {
  it("hides the adapter's restoreSession from Socket.IO's pre-middleware path", async () => {
    const { adapter, restored } = adapterWith(sessionOf('alice', []));
    await expect(adapter.restoreSession('old-pid', '1-0')).rejects.toThrow(/authentication/);
    expect(restored).toEqual([]);
  });

  it('hands the session back to its own user: same pid, missed packets written', async () => {
    const { adapter } = adapterWith(sessionOf('alice', ['group:a']));
    const { socket, raw, written } = socketOf(adapter, 'alice', { pid: 'old-pid', offset: '1-0' });
    await recoverAuthenticatedSession(socket, ['group:a']);
    expect(raw).toMatchObject({ pid: 'old-pid', recovered: true });
    expect(written).toEqual([['xp:gained', { totalXp: 2 }, '1-0']]);
  });

  it("refuses another user's session: fresh pid, nothing written", async () => {
    const { adapter } = adapterWith(sessionOf('alice', []));
    const { socket, raw, written } = socketOf(adapter, 'mallory', {
      pid: 'old-pid',
      offset: '1-0',
    });
    await recoverAuthenticatedSession(socket, []);
    expect(raw).toMatchObject({ pid: 'fresh-pid', recovered: false });
    expect(written).toEqual([]);
  });

  it('refuses a session that held a room the user has lost since', async () => {
    const { adapter } = adapterWith(sessionOf('alice', ['group:left']));
    const { socket, raw, written } = socketOf(adapter, 'alice', { pid: 'old-pid', offset: '1-0' });
    await recoverAuthenticatedSession(socket, []);
    expect(raw).toMatchObject({ pid: 'fresh-pid', recovered: false });
    expect(written).toEqual([]);
  });

  it('starts fresh when there is no pid/offset or no stored session', async () => {
    const none = adapterWith(sessionOf('alice', []));
    const withoutPid = socketOf(none.adapter, 'alice', {});
    await recoverAuthenticatedSession(withoutPid.socket, []);
    expect(none.restored).toEqual([]);

    const missing = adapterWith(undefined);
    const unknown = socketOf(missing.adapter, 'alice', { pid: 'x', offset: '1-0' });
    await recoverAuthenticatedSession(unknown.socket, []);
    expect(unknown.raw).toMatchObject({ pid: 'fresh-pid', recovered: false });
  });
});
