import { useCallback, useEffect, useRef, useState } from 'react';
import { useSocketEvent } from '@herald/realtime-react';

interface Toast {
  id: number;
  kind: 'notification' | 'achievement' | 'rank' | 'xp';
  icon: string;
  title: string;
  body?: string;
}

const LIFETIME_MS = 7_000;

/** Short-lived cards for live events; the region is polite so screen readers hear them. */
export function Toasts() {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((all) => all.filter((t) => t.id !== id));
  }, []);

  const push = useCallback(
    (toast: Omit<Toast, 'id'>) => {
      const id = nextId.current++;
      setToasts((all) => [...all.slice(-4), { ...toast, id }]);
      timers.current.set(
        id,
        setTimeout(() => dismiss(id), LIFETIME_MS),
      );
    },
    [dismiss],
  );

  useEffect(() => {
    const pending = timers.current;
    return () => pending.forEach((timer) => clearTimeout(timer));
  }, []);

  useSocketEvent('notification:new', ({ notification }) =>
    push({
      kind: 'notification',
      icon: '🔔',
      title: notification.title,
      body: notification.message,
    }),
  );
  useSocketEvent('achievement:unlocked', (p) =>
    push({
      kind: 'achievement',
      icon: p.icon ?? '🏆',
      title: `Achievement: ${p.title}`,
      body: p.description,
    }),
  );
  useSocketEvent('rank:updated', (p) =>
    push({
      kind: 'rank',
      icon: '⬆️',
      title: `New rank: ${p.newRank}`,
      body: `Up from ${p.oldRank}`,
    }),
  );
  useSocketEvent('xp:gained', (p) =>
    push({
      kind: 'xp',
      icon: '✨',
      title: `+${p.amount} XP`,
      body: `${p.source} · ${p.totalXp} XP in total`,
    }),
  );

  return (
    <section className="toasts" aria-label="Live updates" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.kind}`} data-testid="toast" data-kind={t.kind}>
          <span className="toast__icon" aria-hidden="true">
            {t.icon}
          </span>
          <div className="toast__text">
            <p className="toast__title">{t.title}</p>
            {t.body ? <p className="toast__body">{t.body}</p> : null}
          </div>
          <button
            type="button"
            className="icon-button toast__close"
            aria-label="Dismiss"
            onClick={() => dismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
