import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  apiToken,
  clearUnread,
  closeBell,
  expectUnread,
  item,
  openAs,
  openBell,
  sendNotification,
  snapshot,
  uniqueEmail,
} from './support/app';

/**
 * The narrowest phone the demo supports, a common one (iPhone 12 to 15), and a small tablet
 * (where the panel hangs from the bell again).
 */
const SCREENS = [
  { name: 'small phone', width: 320, height: 640 },
  { name: 'phone', width: 390, height: 844 },
  { name: 'small tablet', width: 700, height: 1000 },
];

async function expectWithinViewport(page: Page, target: Locator): Promise<void> {
  const viewport = page.viewportSize();
  const box = await target.boundingBox();
  if (!viewport || !box) throw new Error('expected a viewport and a visible element');
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
}

test.describe('the notification bell on a phone', () => {
  for (const phone of SCREENS) {
    test(`its open panel stays inside a ${phone.width} px viewport`, async ({
      browser,
    }, testInfo) => {
      const email = uniqueEmail(`bell-${phone.width}`);
      const { token, userId } = await apiToken(email);
      const page = await openAs(browser, { email });
      await page.setViewportSize({ width: phone.width, height: phone.height });
      await clearUnread(page);
      await sendNotification(token, userId, 'Deploy finished');
      await sendNotification(token, userId, 'A rather long notification title that needs room');
      await expectUnread(page, 2);

      // Nothing in the page is wider than the phone, so the bell itself is reachable.
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - window.innerWidth,
      );
      expect(overflow).toBeLessThanOrEqual(0);
      await expectWithinViewport(page, page.getByTestId('bell'));

      await openBell(page);
      const panel = page.getByRole('dialog', { name: 'Notifications' });
      await expect(item(page, 'Deploy finished')).toBeVisible();
      await expectWithinViewport(page, panel);
      await snapshot(page, testInfo, `bell open on a ${phone.name} (${phone.width} px)`);
      await closeBell(page);
      await page.context().close();
    });
  }

  test('opening an item by click or Enter marks it read, on every window of the user', async ({
    browser,
  }) => {
    const email = uniqueEmail('bell-open');
    const { token, userId } = await apiToken(email);
    const phone = await openAs(browser, { email });
    await phone.setViewportSize({ width: 390, height: 844 });
    const laptop = await openAs(browser, { email });
    await clearUnread(phone);
    await expectUnread(laptop, 0);
    await sendNotification(token, userId, 'Opened by click');
    await sendNotification(token, userId, 'Opened by keyboard');
    await expectUnread(phone, 2);
    await expectUnread(laptop, 2);

    await openBell(phone);
    const byClick = item(phone, 'Opened by click');
    await expect(byClick).toHaveAttribute('data-read', 'false');
    await byClick.getByTestId('notification-open').click();
    await expect(byClick).toHaveAttribute('data-read', 'true');
    await expectUnread(phone, 1);
    await expectUnread(laptop, 1);

    const byKeyboard = item(phone, 'Opened by keyboard');
    await expect(byKeyboard).toHaveAttribute('data-read', 'false');
    await byKeyboard.getByTestId('notification-open').focus();
    await phone.keyboard.press('Enter');
    await expect(byKeyboard).toHaveAttribute('data-read', 'true');
    await expectUnread(phone, 0);
    await expectUnread(laptop, 0);

    // The explicit button is still there for the unread ones; read items no longer offer it.
    await expect(phone.getByRole('button', { name: 'Mark “Opened by click” as read' })).toHaveCount(
      0,
    );
    await openBell(laptop);
    await expect(item(laptop, 'Opened by click')).toHaveAttribute('data-read', 'true');
    await expect(item(laptop, 'Opened by keyboard')).toHaveAttribute('data-read', 'true');
    await phone.context().close();
    await laptop.context().close();
  });
});
