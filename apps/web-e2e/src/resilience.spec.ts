import { expect, test } from '@playwright/test';
import { SignJWT } from 'jose';
import { harness, startApi, stopApi } from './support/api-server';
import {
  SENDER,
  apiToken,
  expectConnection,
  expectUnread,
  item,
  openAs,
  openBell,
  sendNotification,
  signIn,
  snapshot,
  uniqueEmail,
} from './support/app';

async function tokenFor(userId: string, email: string, expiresInSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, role: 'user' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode((await harness()).TEST_JWT_SECRET));
}

test.describe('resilience', () => {
  test('a restart of the API shows "reconnecting", then resyncs with nothing lost', async ({
    browser,
  }, testInfo) => {
    test.setTimeout(120_000);
    const email = uniqueEmail('restart');
    // The gate sits on the context before the app loads: the Socket.IO client keeps the
    // WebSocket constructor it found at start, so routing added later would never see it.
    let gateClosed = false;
    let refusedAttempts = 0;
    const context = await browser.newContext();
    await context.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (!gateClosed) return ws.connectToServer();
      refusedAttempts += 1;
      // A clean close before the handshake would leave Socket.IO waiting out its 20 s
      // connect timeout; a frame Engine.IO cannot parse fails the attempt at once, as a
      // refused connection does.
      ws.send('refused by the test gate');
      ws.close();
    });
    await context.route(/\/socket\.io\//, (route) =>
      gateClosed ? route.abort() : route.continue(),
    );
    const page = await context.newPage();
    await signIn(page, { email });
    const sender = await apiToken(SENDER);
    await sendNotification(sender.token, email, 'Before the restart');
    await expectUnread(page, 2); // "Welcome aboard" + this one

    // Keep the browser away from the API while it comes back, so what is sent meanwhile
    // can only arrive through the resync on reconnect, not as a live push.
    gateClosed = true;
    await stopApi();
    await expectConnection(page, 'reconnecting');
    await expect(page.getByTestId('connection-state')).toHaveText(/Reconnecting/);
    await snapshot(page, testInfo, 'reconnecting while the API is down', 'reconnecting.png');

    await startApi();
    const senderAfter = await apiToken(SENDER);
    await sendNotification(senderAfter.token, email, 'While you were away');
    // The client tries again while the API is up, and the gate turns it away.
    const refusedBefore = refusedAttempts;
    await expect.poll(() => refusedAttempts, { timeout: 15_000 }).toBeGreaterThan(refusedBefore);
    await expectConnection(page, 'reconnecting');

    gateClosed = false;
    await expectConnection(page, 'connected', 30_000);
    await expectUnread(page, 3);
    await openBell(page);
    await expect(item(page, 'Before the restart')).toBeVisible();
    await expect(item(page, 'While you were away')).toBeVisible();
    await expect(item(page, 'Welcome aboard')).toBeVisible();
  });

  test('an expired token leads to a clean re-authentication', async ({ browser }) => {
    const email = uniqueEmail('expired');
    const page = await openAs(browser, { email });
    // Replace the stored session token with one that expired an hour ago, then reload.
    const expired = await tokenFor(email, email, -3600);
    await page.evaluate((token) => {
      const session = JSON.parse(sessionStorage.getItem('herald.session') ?? '{}');
      sessionStorage.setItem('herald.session', JSON.stringify({ ...session, token }));
    }, expired);
    await page.reload();
    await expectConnection(page, 'connected');
    await expect(page.getByTestId('session-banner')).toHaveCount(0);
    const stored = await page.evaluate(
      () => JSON.parse(sessionStorage.getItem('herald.session') ?? '{}').token,
    );
    expect(stored).not.toBe(expired);

    // And it works: a notification arrives live.
    const sender = await apiToken(SENDER);
    await sendNotification(sender.token, email, 'After re-authentication');
    await expect(
      page.getByTestId('toast').filter({ hasText: 'After re-authentication' }),
    ).toBeVisible();
  });

  test('a token that expires while connected is renewed without losing the session', async ({
    browser,
  }) => {
    test.setTimeout(60_000);
    const email = uniqueEmail('short');
    const page = await openAs(browser, { email });
    // A token that is valid for 12 more seconds; the client renews it with auth:refresh.
    const short = await tokenFor(email, email, 12);
    await page.evaluate((token) => {
      const session = JSON.parse(sessionStorage.getItem('herald.session') ?? '{}');
      sessionStorage.setItem('herald.session', JSON.stringify({ ...session, token }));
    }, short);
    await page.reload();
    await expectConnection(page, 'connected');
    const statuses: string[] = [];
    await page.exposeFunction('recordStatus', (s: string) => statuses.push(s));
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid="connection-state"]');
      if (!el) return;
      new MutationObserver(() =>
        (window as unknown as { recordStatus(s: string): void }).recordStatus(
          el.getAttribute('data-status') ?? '',
        ),
      ).observe(el, { attributes: true });
    });
    // Past exp plus the server's clock tolerance (5 s).
    // eslint-disable-next-line playwright/no-wait-for-timeout -- the point is to let real time pass
    await page.waitForTimeout(20_000);
    await expectConnection(page, 'connected');
    expect(statuses.filter((s) => s === 'unauthorized')).toEqual([]);
    const sender = await apiToken(SENDER);
    await sendNotification(sender.token, email, 'Still here');
    await expect(page.getByTestId('toast').filter({ hasText: 'Still here' })).toBeVisible();
  });
});
