import { expect, test } from '@playwright/test';
import { API_URL } from './support/api-server';
import { RUN, SENDER, apiToken, openAs, snapshot } from './support/app';

test("an offline user's escalated notification shows up in the local webhook inbox, verified", async ({
  browser,
}, testInfo) => {
  const page = await openAs(browser, { demo: 'Ana Souza' });
  const inbox = page.getByTestId('webhook-inbox');
  await expect(inbox).toBeVisible();

  // A recipient who never signs in, so no device can receive it and it must escalate.
  const sender = await apiToken(SENDER);
  const title = `Escalated while away ${RUN}`;
  const response = await fetch(`${API_URL}/api/demo/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sender.token}` },
    body: JSON.stringify({
      userId: `away-${RUN}`,
      title,
      message: 'Nobody was online to receive this',
      escalateAfterSeconds: 1,
    }),
  });
  expect(response.status).toBe(201);

  const delivery = inbox.getByTestId('webhook-delivery').filter({ hasText: title });
  await expect(delivery).toHaveCount(1, { timeout: 20_000 });
  await expect(delivery).toContainText('signature verified');
  await expect(delivery).toContainText(`away-${RUN}`);
  await delivery.scrollIntoViewIfNeeded();
  await snapshot(page, testInfo, 'webhook inbox');
});
