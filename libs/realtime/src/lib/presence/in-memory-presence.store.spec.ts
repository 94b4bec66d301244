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

describe('presence cursors', () => {
  it('round-trips a userId and refuses anything it did not issue', () => {
    expect(decodePresenceCursor(encodePresenceCursor('user-1 é'))).toBe('user-1 é');
    expect(decodePresenceCursor('%%')).toBeUndefined();
    expect(decodePresenceCursor('')).toBeUndefined();
    expect(decodePresenceCursor('YQ=')).toBeUndefined();
  });
});
