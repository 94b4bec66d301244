import { isPublishRequest } from './publish-routes';

describe('isPublishRequest: the endpoints the load shedder may refuse', () => {
  it.each([
    '/api/realtime/users/alice/events',
    '/api/realtime/users/a%20b/events',
    '/api/realtime/broadcast',
    '/api/realtime/events',
    '/api/notifications',
    '/api/notifications/',
    '/api/notifications/batch',
    '/api/gamification/xp',
    '/api/groups/team-1/messages',
    '/API/Notifications',
  ])('POST %s is a publish', (path) => {
    expect(isPublishRequest('POST', path)).toBe(true);
  });

  it.each([
    ['GET', '/api/notifications'],
    ['POST', '/api/notifications/read-all'],
    ['PATCH', '/api/notifications/n1/read'],
    ['POST', '/api/realtime/users/alice/disconnect'],
    ['GET', '/api/realtime/presence'],
    ['PUT', '/api/users/alice'],
    ['PUT', '/api/users/alice/preferences'],
    ['GET', '/api/health'],
    ['GET', '/api/metrics'],
    ['POST', '/api/auth/demo-login'],
    ['POST', '/api/demo/notifications'],
    ['PUT', '/api/groups/team-1/members/alice'],
    ['POST', '/api/realtime/users/alice/events/extra'],
    ['POST', '/api/notificationsbatch'],
    ['POST', '/socket.io/'],
  ])('%s %s is never shed', (method, path) => {
    expect(isPublishRequest(method, path)).toBe(false);
  });
});
