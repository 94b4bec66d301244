import { expect, type Browser, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { API_URL, ROOT } from './api-server';

/** A short id unique to this run, so tests never see each other's users. */
export const RUN = Date.now().toString(36);

export type Who =
  { demo: 'Ana Souza' | 'Bruno Lima' | 'Carla Dias' | 'Diego Alves' } | { email: string };

/** Who sends notifications in the tests (a demo user, so the leaderboard stays tidy). */
export const SENDER = 'diego@herald.dev';

export const uniqueEmail = (label: string) => `${label}-${RUN}@e2e.test`;

/** A fresh browser context signed in through the UI, connected. */
export async function openAs(browser: Browser, who: Who): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, who);
  return page;
}

export async function signIn(page: Page, who: Who): Promise<void> {
  await page.goto('/');
  if ('demo' in who) {
    await page.getByRole('button', { name: `Sign in as ${who.demo}` }).click();
  } else {
    await page.getByLabel('Or any email').fill(who.email);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }
  await expectConnection(page, 'connected');
  // The inbox resyncs over HTTP on connect; wait until the bell reflects it.
  await expect(page.getByTestId('unread-announcement')).toHaveText(/unread notification/);
}

export async function expectConnection(
  page: Page,
  status: string,
  timeout = 15_000,
): Promise<void> {
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-status', status, {
    timeout,
  });
}

/** The unread count as the bell's accessible name states it (0 when none). */
export async function expectUnread(page: Page, count: number, timeout = 10_000): Promise<void> {
  const name = count === 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`;
  await expect(page.getByRole('button', { name })).toBeVisible({ timeout });
  if (count === 0) await expect(page.getByTestId('unread-badge')).toHaveCount(0);
  else await expect(page.getByTestId('unread-badge')).toHaveText(String(count));
}

export async function openBell(page: Page): Promise<void> {
  const bell = page.getByTestId('bell');
  if ((await bell.getAttribute('aria-expanded')) !== 'true') await bell.click();
  await expect(page.getByRole('dialog', { name: 'Notifications' })).toBeVisible();
}

export async function closeBell(page: Page): Promise<void> {
  if ((await page.getByTestId('bell').getAttribute('aria-expanded')) === 'true') {
    await page.keyboard.press('Escape');
  }
  await expect(page.getByRole('dialog', { name: 'Notifications' })).toHaveCount(0);
}

export function item(page: Page, title: string) {
  return page.getByTestId('notification-item').filter({ hasText: title });
}

/** Marks everything read through the UI, so a test starts from a known count. */
export async function clearUnread(page: Page): Promise<void> {
  await openBell(page);
  const markAll = page.getByRole('button', { name: 'Mark all as read' });
  if (await markAll.isEnabled()) await markAll.click();
  await expectUnread(page, 0);
  await closeBell(page);
}

/** Acting as another backend: a token from demo-login, then the demo routes. */
export async function apiToken(email: string): Promise<{ token: string; userId: string }> {
  const response = await fetch(`${API_URL}/api/auth/demo-login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { accessToken: string; user: { id: string } };
  return { token: body.accessToken, userId: body.user.id };
}

export async function sendNotification(
  token: string,
  userId: string,
  title: string,
): Promise<void> {
  const response = await fetch(`${API_URL}/api/demo/notifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      userId,
      title,
      message: `${title} (sent by the e2e suite)`,
      type: 'info',
    }),
  });
  expect(response.status).toBe(201);
}

/**
 * Saves a screenshot as a test artifact; with UPDATE_DOCS_IMAGES=1 the key ones also go to
 * docs/images (off by default, so a test run leaves the checkout clean).
 */
export async function snapshot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  docsName?: string,
): Promise<void> {
  const body = await page.screenshot({ fullPage: false });
  await testInfo.attach(name, { body, contentType: 'image/png' });
  if (docsName && process.env['UPDATE_DOCS_IMAGES'] === '1') {
    const dir = resolve(ROOT, 'docs/images');
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: resolve(dir, docsName) });
  }
}
