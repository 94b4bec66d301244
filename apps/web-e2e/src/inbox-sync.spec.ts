import { expect, test } from '@playwright/test';
import {
  clearUnread,
  closeBell,
  expectUnread,
  item,
  openAs,
  openBell,
  snapshot,
} from './support/app';

test.describe('the inbox across devices', () => {
  test('two windows of the same user stay in sync, and another user sees none of it', async ({
    browser,
  }, testInfo) => {
    const laptop = await openAs(browser, { demo: 'Ana Souza' });
    const phone = await openAs(browser, { demo: 'Ana Souza' });
    const bruno = await openAs(browser, { demo: 'Bruno Lima' });
    await clearUnread(laptop);
    await expectUnread(phone, 0);
    await clearUnread(bruno);

    await test.step('a notification sent from the control panel reaches both windows', async () => {
      const form = laptop.getByTestId('send-notification-form');
      await form.getByLabel('Recipient').selectOption({ label: 'Ana Souza' });
      await form.getByLabel('Title').fill('Build #42 passed');
      await form.getByLabel('Message').fill('All 318 checks are green.');
      await form.getByRole('button', { name: 'Send notification' }).click();
      await expect(form.getByRole('status')).toHaveText('Sent to Ana Souza');

      await expectUnread(laptop, 1);
      await expectUnread(phone, 1);
      await expect(
        phone.getByTestId('toast').filter({ hasText: 'Build #42 passed' }),
      ).toBeVisible();
      await snapshot(phone, testInfo, 'toast on the second window', 'toast.png');
    });

    await test.step('read on one window is read on the other', async () => {
      await openBell(phone);
      await expect(item(phone, 'Build #42 passed')).toHaveAttribute('data-read', 'false');
      await snapshot(
        phone,
        testInfo,
        'bell open with an unread notification',
        'notification-bell.png',
      );
      await phone.getByRole('button', { name: 'Mark “Build #42 passed” as read' }).click();
      await expectUnread(phone, 0);
      await expectUnread(laptop, 0);
      await openBell(laptop);
      await expect(item(laptop, 'Build #42 passed')).toHaveAttribute('data-read', 'true');
      await closeBell(laptop);
    });

    await test.step('a delete on one window removes it on the other', async () => {
      await phone.getByRole('button', { name: 'Delete “Build #42 passed”' }).click();
      await expect(item(phone, 'Build #42 passed')).toHaveCount(0);
      await openBell(laptop);
      await expect(item(laptop, 'Build #42 passed')).toHaveCount(0);
      await closeBell(laptop);
      await closeBell(phone);
    });

    await test.step('mark all read clears the badge everywhere', async () => {
      const form = laptop.getByTestId('send-notification-form');
      for (const title of ['Invoice ready', 'New follower']) {
        await form.getByLabel('Title').fill(title);
        await form.getByRole('button', { name: 'Send notification' }).click();
        await expect(form.getByRole('button', { name: 'Send notification' })).toBeEnabled();
      }
      await expectUnread(phone, 2);
      await expectUnread(laptop, 2);
      await openBell(laptop);
      await laptop.getByRole('button', { name: 'Mark all as read' }).click();
      await expectUnread(phone, 0);
      await expectUnread(laptop, 0);
    });

    await test.step('the other user saw none of it', async () => {
      await expectUnread(bruno, 0);
      await openBell(bruno);
      for (const title of ['Build #42 passed', 'Invoice ready', 'New follower']) {
        await expect(item(bruno, title)).toHaveCount(0);
      }
      await expect(bruno.getByTestId('toast')).toHaveCount(0);
    });
  });

  test('the bell is usable from the keyboard and announces its count', async ({
    browser,
  }, testInfo) => {
    const page = await openAs(browser, { demo: 'Carla Dias' });
    await clearUnread(page);
    await expect(page.getByTestId('unread-announcement')).toHaveText('0 unread notifications');
    await page.getByTestId('bell').focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    await expect(panel).toBeFocused();
    await snapshot(page, testInfo, 'bell open (keyboard)');
    await page.keyboard.press('Escape');
    await expect(panel).toHaveCount(0);
    await expect(page.getByTestId('bell')).toBeFocused();
    await expect(page.getByTestId('bell')).toHaveAttribute('aria-expanded', 'false');
  });
});
