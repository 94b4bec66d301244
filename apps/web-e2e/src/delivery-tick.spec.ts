import { expect, test } from '@playwright/test';
import { openAs } from './support/app';

test.describe('delivery receipts in the control panel', () => {
  test('a send shows a delivered tick once a device of the recipient received it', async ({
    browser,
  }) => {
    const sender = await openAs(browser, { demo: 'Ana Souza' });
    const carla = await openAs(browser, { demo: 'Carla Dias' });

    const form = sender.getByTestId('send-notification-form');
    await form.getByLabel('Recipient').selectOption({ label: 'Carla Dias' });
    await form.getByLabel('Title').fill('Your report is ready');
    await form.getByLabel('Expires').selectOption({ label: 'in 2 minutes' });
    await form.getByRole('button', { name: 'Send notification' }).click();

    const sent = sender.getByTestId('sent-notifications').getByRole('listitem').first();
    await expect(sent).toContainText('Your report is ready → Carla Dias');
    await expect(sent).toContainText('expires');
    // Carla's open window confirms it (notification:received); the panel polls the status.
    await expect(
      carla.getByTestId('toast').filter({ hasText: 'Your report is ready' }),
    ).toBeVisible();
    await expect(sent).toContainText('✓ Delivered', { timeout: 15_000 });
  });
});
