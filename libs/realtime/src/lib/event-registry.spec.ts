import { describe, expect, it } from 'vitest';
import { RealtimeEventRegistry } from './event-registry';

const user = { userId: 'u1', email: null, role: null, expiresAt: null };

describe('RealtimeEventRegistry connect hooks', () => {
  it('runs synchronous and asynchronous hooks one after the other, in registration order', async () => {
    const registry = new RealtimeEventRegistry();
    const seen: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    registry.onConnect(() => void seen.push('sync 1'));
    registry.onConnect(async () => {
      seen.push('async starts');
      await slow;
      seen.push('async ends');
    });
    registry.onConnect(() => void seen.push('sync 2'));

    const done = registry.runConnectHooks(user, 's1');
    await Promise.resolve();
    expect(seen).toEqual(['sync 1', 'async starts']);
    release();
    await done;
    expect(seen).toEqual(['sync 1', 'async starts', 'async ends', 'sync 2']);
  });

  it('passes each failure, thrown or rejected, to onError and runs the other hooks', async () => {
    const registry = new RealtimeEventRegistry();
    const errors: unknown[] = [];
    let ran = false;
    registry.onConnect(() => {
      throw new Error('sync failure');
    });
    registry.onConnect(() => Promise.reject(new Error('async failure')));
    registry.onConnect(() => {
      ran = true;
    });
    await registry.runConnectHooks(user, 's1', (error) => errors.push(error));
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'sync failure',
      'async failure',
    ]);
    expect(ran).toBe(true);
  });
});

describe('RealtimeEventRegistry room resolvers', () => {
  it('answers no room when no resolver gives one', async () => {
    const registry = new RealtimeEventRegistry();
    expect(await registry.roomsFor(user)).toEqual([]);
    registry.addRoomResolver(() => []);
    expect(await registry.roomsFor(user)).toEqual([]);
  });

  it("joins every resolver's rooms once, dropping what is not a room name", async () => {
    const registry = new RealtimeEventRegistry();
    registry.addRoomResolver(async () => ['group:a', 'group:b', '']);
    expect(await registry.roomsFor(user)).toEqual(['group:a', 'group:b']);
    registry.addRoomResolver(() => ['group:b', 42 as unknown as string, 'team:x']);
    expect(await registry.roomsFor(user)).toEqual(['group:a', 'group:b', 'team:x']);
  });

  it('fails when a resolver fails', async () => {
    const registry = new RealtimeEventRegistry();
    registry.addRoomResolver(() => {
      throw new Error('store away');
    });
    await expect(registry.roomsFor(user)).rejects.toThrow('store away');
  });
});
