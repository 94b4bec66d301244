import { expect, test } from '@playwright/test';
import { expectConnection, snapshot } from './support/app';

// Runs first (file order), while the leaderboard holds only the demo cast.
test('the sign-in page and the dashboard', async ({ page }, testInfo) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in to Herald' })).toBeVisible();
  await snapshot(page, testInfo, 'sign-in', 'sign-in.png');
  await page.getByRole('button', { name: 'Sign in as Ana Souza' }).click();
  await expectConnection(page, 'connected');
  await expect(page.getByTestId('leaderboard')).toBeVisible();
  const form = page.getByTestId('grant-xp-form');
  await form.getByLabel('Amount').fill('1200');
  await form.getByRole('button', { name: 'Grant XP' }).click();
  await expect(page.getByTestId('leaderboard-row').filter({ hasText: 'Ana Souza' })).toBeVisible();
  await expect(page.getByTestId('toast').filter({ hasText: '+1,200 XP' })).toBeVisible();
  await snapshot(page, testInfo, 'dashboard with toasts and leaderboard', 'dashboard.png');
});
