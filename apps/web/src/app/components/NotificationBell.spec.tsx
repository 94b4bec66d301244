import { act, configure, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { RealtimeProvider } from '@herald/realtime-react';
// The in-process contract server of the client library's specs (test code only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  mintToken,
  startTestServer,
  type TestServer,
} from '../../../../../libs/realtime-client/src/testing/test-server';
import { NotificationBell } from './NotificationBell';

// Real sockets on a shared, busy machine: allow more than the default 1 s (liveness only).
configure({ asyncUtilTimeout: 5_000 });

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

async function renderBell(userId = 'ana') {
  const token = await mintToken(userId);
  const view = render(
    <RealtimeProvider
      token={token}
      options={{ url: server.url, reconnection: { minMs: 50, maxMs: 200 } }}
    >
      <NotificationBell />
    </RealtimeProvider>,
  );
  await waitFor(async () => expect(await server.socketsOf(userId)).toBe(1));
  return view;
}

describe('NotificationBell', () => {
  it('says "none unread" and shows the empty state when the inbox is empty', async () => {
    await renderBell();
    const bell = await screen.findByRole('button', { name: 'Notifications, none unread' });
    expect(screen.queryByTestId('unread-badge')).toBeNull();
    await userEvent.click(bell);
    expect(await screen.findByText('You’re all caught up.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Mark all as read' })).toHaveProperty(
      'disabled',
      true,
    );
  });

  it('shows and announces the unread count, and follows pushes', async () => {
    server.store('ana', 'Waiting for you');
    await renderBell();
    await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    expect(screen.getByTestId('unread-badge').textContent).toBe('1');
    expect(screen.getByTestId('unread-announcement').textContent).toBe('1 unread notification');
    act(() => {
      server.notify('ana', 'Fresh');
    });
    await screen.findByRole('button', { name: 'Notifications, 2 unread' });
    expect(screen.getByTestId('unread-announcement').textContent).toBe('2 unread notifications');
  });

  it('moves focus into the dropdown, and Escape closes it and returns focus to the bell', async () => {
    server.store('ana', 'Hello');
    await renderBell();
    const bell = await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    await userEvent.click(bell);
    const panel = screen.getByRole('dialog', { name: 'Notifications' });
    expect(bell.getAttribute('aria-expanded')).toBe('true');
    await waitFor(() => expect(document.activeElement).toBe(panel));
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Notifications' })).toBeNull();
    expect(document.activeElement).toBe(bell);
    expect(bell.getAttribute('aria-expanded')).toBe('false');
  });

  it('marks one read, deletes one, and marks all read, with named buttons', async () => {
    server.store('ana', 'First');
    server.store('ana', 'Second');
    server.store('ana', 'Third');
    await renderBell();
    await userEvent.click(await screen.findByRole('button', { name: 'Notifications, 3 unread' }));
    const list = await screen.findByRole('list', { name: 'Inbox' });
    expect(within(list).getAllByTestId('notification-item')).toHaveLength(3);

    await userEvent.click(screen.getByRole('button', { name: 'Mark “Second” as read' }));
    await screen.findByRole('button', { name: 'Notifications, 2 unread' });
    expect(screen.queryByRole('button', { name: 'Mark “Second” as read' })).toBeNull();

    await userEvent.click(screen.getByRole('button', { name: 'Delete “First”' }));
    await waitFor(() => expect(within(list).getAllByTestId('notification-item')).toHaveLength(2));
    expect(server.inboxOf('ana').map((n) => n.title)).not.toContain('First');

    await userEvent.click(screen.getByRole('button', { name: 'Mark all as read' }));
    await screen.findByRole('button', { name: 'Notifications, none unread' });
    expect(
      within(list)
        .getAllByTestId('notification-item')
        .every((li) => li.dataset['read'] === 'true'),
    ).toBe(true);
  });

  it('marks an item read when it is opened, by click or by Enter', async () => {
    server.store('ana', 'Clicked');
    server.store('ana', 'Keyed');
    await renderBell();
    await userEvent.click(await screen.findByRole('button', { name: 'Notifications, 2 unread' }));
    const list = await screen.findByRole('list', { name: 'Inbox' });
    const itemOf = (title: string) => {
      const found = within(list)
        .getAllByTestId('notification-item')
        .find((li) => li.textContent?.includes(title));
      if (!found) throw new Error(`no item "${title}"`);
      return found;
    };

    await userEvent.click(within(itemOf('Clicked')).getByTestId('notification-open'));
    await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    expect(itemOf('Clicked').dataset['read']).toBe('true');

    act(() => within(itemOf('Keyed')).getByTestId('notification-open').focus());
    await userEvent.keyboard('{Enter}');
    await screen.findByRole('button', { name: 'Notifications, none unread' });
    expect(itemOf('Keyed').dataset['read']).toBe('true');
    expect(server.inboxOf('ana').every((n) => n.readAt !== null)).toBe(true);
    // The explicit buttons are for unread items only.
    expect(screen.queryByRole('button', { name: /^Mark “/ })).toBeNull();
  });

  it('closes when clicking outside', async () => {
    await renderBell();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Notifications, none unread' }),
    );
    expect(screen.getByRole('dialog', { name: 'Notifications' })).toBeTruthy();
    await userEvent.click(document.body);
    expect(screen.queryByRole('dialog', { name: 'Notifications' })).toBeNull();
  });
});
