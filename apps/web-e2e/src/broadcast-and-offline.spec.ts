import { expect, test } from '@playwright/test';
import {
  SENDER,
  apiToken,
  expectUnread,
  item,
  openAs,
  openBell,
  sendNotification,
  signIn,
  snapshot,
  uniqueEmail,
} from './support/app';

test('a broadcast reaches every signed-in user', async ({ browser }, testInfo) => {
  const pages = await Promise.all([
    openAs(browser, { email: uniqueEmail('broadcast-a') }),
    openAs(browser, { email: uniqueEmail('broadcast-b') }),
    openAs(browser, { demo: 'Diego Alves' }),
  ]);
  const form = pages[0].getByTestId('broadcast-form');
  await form.getByLabel('Title').fill('Maintenance at 22:00 UTC');
  await form.getByRole('button', { name: 'Broadcast to everyone' }).click();
  for (const page of pages) {
    await expect(
      page.getByTestId('toast').filter({ hasText: 'Maintenance at 22:00 UTC' }),
    ).toBeVisible();
  }
  await snapshot(pages[2], testInfo, 'broadcast toast');
});

test('a user who was offline finds the badge and the notifications on sign-in', async ({
  browser,
}, testInfo) => {
  const email = uniqueEmail('offline');
  // Signs in once (the first sign-in unlocks "Welcome aboard"), reads everything, signs out.
  const page = await openAs(browser, { email });
  await openBell(page);
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expectUnread(page, 0);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to Herald' })).toBeVisible();

  const sender = await apiToken(SENDER);
  await sendNotification(sender.token, email, 'Your report is ready');
  await sendNotification(sender.token, email, 'Payment received');

  await signIn(page, { email });
  await expectUnread(page, 2);
  await openBell(page);
  await expect(item(page, 'Your report is ready')).toHaveAttribute('data-read', 'false');
  await expect(item(page, 'Payment received')).toHaveAttribute('data-read', 'false');
  await snapshot(page, testInfo, 'offline user on sign-in');
});
