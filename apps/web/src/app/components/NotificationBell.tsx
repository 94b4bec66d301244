import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useNotifications } from '@herald/realtime-react';
import type { Notification } from '@herald/ws-contracts';
import { timeAgo } from '../lib/time';
import { BellIcon, CheckIcon, TrashIcon } from './Icons';

/**
 * The bell: an unread badge (announced politely to screen readers), and a dropdown with
 * the inbox. Opening an item (click, Enter or Space) marks it read, as does its explicit
 * check button. Escape or a click outside closes it and focus returns to the bell.
 */
export function NotificationBell() {
  const {
    notifications,
    unreadCount,
    status,
    error,
    hasMore,
    markRead,
    markAllRead,
    remove,
    loadMore,
  } = useNotifications();
  const [open, setOpen] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const panelId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);

  const close = useCallback((returnFocus: boolean) => {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    panelRef.current?.focus();
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) close(false);
    };
    // On the document, not the panel: focus may sit on <body> after the focused button
    // disabled itself (e.g. "Mark all as read"), and Escape must still close.
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      close(true);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open, close]);

  const run = async (action: () => Promise<{ ok: boolean; error?: { message: string } }>) => {
    setFailure(null);
    const result = await action();
    if (!result.ok) setFailure(result.error?.message ?? 'That did not work; try again.');
  };

  const label =
    unreadCount === 0 ? 'Notifications, none unread' : `Notifications, ${unreadCount} unread`;

  return (
    <div className="bell" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="bell__button"
        aria-label={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={panelId}
        data-testid="bell"
        onClick={() => setOpen((o) => !o)}
      >
        <BellIcon />
        {unreadCount > 0 ? (
          <span className="bell__badge" data-testid="unread-badge" aria-hidden="true">
            {unreadCount > 99 ? '99+' : unreadCount}
          </span>
        ) : null}
      </button>
      {/* Announces changes of the count without moving focus. */}
      <span className="visually-hidden" aria-live="polite" data-testid="unread-announcement">
        {unreadCount === 1 ? '1 unread notification' : `${unreadCount} unread notifications`}
      </span>

      {open ? (
        <div
          ref={panelRef}
          id={panelId}
          className="bell__panel"
          role="dialog"
          aria-label="Notifications"
          tabIndex={-1}
          data-testid="notification-panel"
        >
          <header className="bell__header">
            <h2>Notifications</h2>
            <button
              type="button"
              className="link-button"
              disabled={unreadCount === 0}
              onClick={() => void run(markAllRead)}
            >
              Mark all as read
            </button>
          </header>
          {failure ? (
            <p className="bell__error" role="alert">
              {failure}
            </p>
          ) : null}
          {status === 'loading' || (status === 'idle' && notifications.length === 0) ? (
            <p className="bell__state" data-testid="notifications-loading">
              <span className="spinner" aria-hidden="true" /> Loading notifications…
            </p>
          ) : status === 'error' && notifications.length === 0 ? (
            <p className="bell__state" role="alert">
              Could not load notifications: {error}
            </p>
          ) : notifications.length === 0 ? (
            <div className="bell__state bell__empty" data-testid="notifications-empty">
              <span className="bell__empty-icon">
                <CheckIcon size={22} />
              </span>
              <p>You’re all caught up.</p>
            </div>
          ) : (
            <ul className="bell__list" aria-label="Inbox">
              {notifications.map((n) => (
                <NotificationItem
                  key={n.id}
                  notification={n}
                  onRead={() => void run(() => markRead(n.id))}
                  onDelete={() => void run(() => remove(n.id))}
                />
              ))}
            </ul>
          )}
          {hasMore ? (
            <button
              type="button"
              className="bell__more link-button"
              onClick={() => void loadMore()}
            >
              Show older
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function NotificationItem({
  notification: n,
  onRead,
  onDelete,
}: {
  notification: Notification;
  onRead: () => void;
  onDelete: () => void;
}) {
  const unread = n.readAt === null;
  // The demo has no detail view: opening an item is reading it, so only unread ones act.
  const onOpen = unread ? onRead : undefined;
  return (
    <li
      className={`item ${unread ? 'item--unread' : ''}`}
      data-testid="notification-item"
      data-id={n.id}
      data-read={unread ? 'false' : 'true'}
    >
      <span className="item__dot" aria-hidden="true" />
      {/* Opening an item reads it, as in every inbox; a native button gives click, Enter
          and Space, and focus, for free. */}
      <button type="button" className="item__open" data-testid="notification-open" onClick={onOpen}>
        <span className="item__title">
          {n.title}
          {unread ? <span className="visually-hidden"> (unread)</span> : null}
        </span>
        <span className="item__message">{n.message}</span>
        <span className="item__meta">
          <span className="item__type">{n.type}</span> ·{' '}
          <time dateTime={n.createdAt}>{timeAgo(n.createdAt)}</time>
        </span>
      </button>
      <div className="item__actions">
        {unread ? (
          <button
            type="button"
            className="icon-button"
            aria-label={`Mark “${n.title}” as read`}
            onClick={onRead}
          >
            <CheckIcon />
          </button>
        ) : null}
        <button
          type="button"
          className="icon-button"
          aria-label={`Delete “${n.title}”`}
          onClick={onDelete}
        >
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}
