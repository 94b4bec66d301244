import { expect, test } from '@playwright/test';

test('the demo page loads and shows the contract it was built against', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Herald' })).toBeVisible();
  await expect(page.getByText(/Contract v1\./)).toBeVisible();
});
