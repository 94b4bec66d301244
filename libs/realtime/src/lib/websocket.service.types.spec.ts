import type { Notification } from '@herald/ws-contracts';
import type { WebSocketService } from './websocket.service';

/**
 * Compile-time contract of WebSocketService: every `@ts-expect-error` below must stay an
 * error, so `tsc` (the typecheck target) fails the day a wrong event name or payload
 * would compile. The function is never called.
 */
function typedCalls(ws: WebSocketService, notification: Notification) {
  ws.emitToUser('u1', 'xp:gained', { amount: 5, source: 'quiz', totalXp: 10 });
  ws.emitToUsers(['u1', 'u2'], 'notification:unread_count', { unreadCount: 2 });
  ws.emitToRoom('group:1', 'rank:updated', { newRank: 'Expert', oldRank: 'Novice' });
  ws.broadcast('leaderboard:updated', { leaderboard: [] });
  ws.emitNotificationToUser('u1', notification);

  // @ts-expect-error: not an event of the contract
  ws.emitToUser('u1', 'xp:gaind', { amount: 5, source: 'quiz', totalXp: 10 });
  // @ts-expect-error: payload misses totalXp
  ws.emitToUser('u1', 'xp:gained', { amount: 5, source: 'quiz' });
  // @ts-expect-error: unreadCount must be a number
  ws.emitToUsers(['u1'], 'notification:unread_count', { unreadCount: '2' });
  // @ts-expect-error: payload of another event
  ws.broadcast('leaderboard:updated', { newRank: 'Expert', oldRank: 'Novice' });
  // @ts-expect-error: the named helper takes a Notification record
  ws.emitNotificationToUser('u1', { title: 'hi' });
  // @ts-expect-error: presence is asynchronous (cluster-wide)
  const online: boolean = ws.isUserConnected('u1');
  return online;
}

describe('WebSocketService typing', () => {
  it('is checked by tsc (see the @ts-expect-error lines)', () => {
    expect(typeof typedCalls).toBe('function');
  });
});
