import { InMemoryPresenceStore } from './in-memory-presence.store';
import { decodePresenceCursor, encodePresenceCursor } from './presence-list';

describe('InMemoryPresenceStore.listUsers', () => {
  it('pages the connected users in userId order with their socket counts', async () => {
    const store = new InMemoryPresenceStore();
    for (const [userId, socketId] of [
      ['carol', 's1'],
      ['alice', 's2'],
      ['bob', 's3'],
      ['alice', 's4'],
      ['dave', 's5'],
    ])
      await store.add(userId, socketId);
    await store.remove('dave', 's5');

    const first = await store.listUsers({ limit: 2 });
    expect(first).toEqual({
      users: [
        { userId: 'alice', sockets: 2 },
        { userId: 'bob', sockets: 1 },
      ],
      next: 'bob',
    });
    expect(await store.listUsers({ limit: 2, after: first.next })).toEqual({
      users: [{ userId: 'carol', sockets: 1 }],
    });
  });

  it('starts after a cursor whose user has left meanwhile', async () => {
    const store = new InMemoryPresenceStore();
    await store.add('a', '1');
    await store.add('c', '2');
    expect(await store.listUsers({ limit: 10, after: 'b' })).toEqual({
      users: [{ userId: 'c', sockets: 1 }],
    });
  });
});

describe('InMemoryPresenceStore socket counts', () => {
  it('counts one, several, then one socket again as a user connects and leaves', async () => {
    const store = new InMemoryPresenceStore();
    await store.add('u', 's1');
    await store.add('u', 's1');
    expect(await store.countSockets('u')).toBe(1);
    await store.add('u', 's2');
    await store.add('u', 's3');
    expect(await store.countSockets('u')).toBe(3);
    await store.remove('u', 's1');
    await store.remove('u', 's3');
    expect(await store.countSockets('u')).toBe(1);
    await store.remove('u', 'unknown');
    expect(await store.countSocketsByUser(['u', 'v'])).toEqual(
      new Map([
        ['u', 1],
        ['v', 0],
      ]),
    );
    await store.remove('u', 's2');
    expect(await store.countSockets('u')).toBe(0);
    expect(store.onlineUsers).toBe(0);
    expect(await store.listUsers({ limit: 10 })).toEqual({ users: [] });
  });
});

describe('presence cursors', () => {
  it('round-trips a userId and refuses anything it did not issue', () => {
    expect(decodePresenceCursor(encodePresenceCursor('user-1 é'))).toBe('user-1 é');
    expect(decodePresenceCursor('%%')).toBeUndefined();
    expect(decodePresenceCursor('')).toBeUndefined();
    expect(decodePresenceCursor('YQ=')).toBeUndefined();
  });
});
