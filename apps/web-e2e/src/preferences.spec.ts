import { expect, test } from '@playwright/test';
import { openAs, uniqueEmail } from './support/app';

test.describe('notification settings', () => {
  test('a change saved in one window shows in the other; a bad time zone is refused', async ({
    browser,
  }) => {
    const email = uniqueEmail('settings');
    const laptop = await openAs(browser, { email });
    const phone = await openAs(browser, { email });
    const panel = laptop.getByTestId('preferences-panel');
    const phonePanel = phone.getByTestId('preferences-panel');

    await expect(panel.getByLabel('E-mail me what I miss')).toBeChecked();
    await expect(phonePanel.getByLabel('E-mail me what I miss')).toBeChecked();

    await panel.getByLabel('E-mail me what I miss').uncheck();
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(panel.getByRole('status')).toHaveText('Saved on every device');
    // preferences:updated reaches the other window without a reload.
    await expect(phonePanel.getByLabel('E-mail me what I miss')).not.toBeChecked();

    await panel.getByLabel('Quiet hours').check();
    await panel.getByLabel('in').fill('Mars/Olympus_Mons');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(panel.getByRole('alert')).toContainText('IANA time zone');
    await expect(phonePanel.getByLabel('Quiet hours')).not.toBeChecked();

    await panel.getByLabel('in').fill('Europe/Berlin');
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect(panel.getByRole('status')).toHaveText('Saved on every device');
    await expect(phonePanel.getByLabel('Quiet hours')).toBeChecked();
    await expect(phonePanel.getByLabel('in')).toHaveValue('Europe/Berlin');
  });
});
