import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import { useSocket } from '@herald/realtime-react';
import { BellIcon, MegaphoneIcon, RankIcon, SparkIcon, TrophyIcon } from './Icons';

interface Toast {
  id: number;
  kind: 'notification' | 'achievement' | 'announcement' | 'rank' | 'xp';
  title: string;
  body?: string;
}

const LIFETIME_MS = 7_000;

const ICONS: Record<Toast['kind'], ReactElement> = {
  notification: <BellIcon />,
  achievement: <TrophyIcon />,
  announcement: <MegaphoneIcon />,
  rank: <RankIcon />,
  xp: <SparkIcon />,
};

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

  const { on } = useSocket();
  useEffect(() => {
    const subscriptions = [
      on('notification:new', ({ notification }) => {
        // Achievements are also stored in the inbox; their own event already shows a toast.
        if (notification.type === 'achievement') return;
        push({ kind: 'notification', title: notification.title, body: notification.message });
      }),
      on('achievement:unlocked', (p) =>
        p.achievementId === 'announcement'
          ? push({ kind: 'announcement', title: p.title, body: p.description })
          : push({ kind: 'achievement', title: `Achievement: ${p.title}`, body: p.description }),
      ),
      on('rank:updated', (p) =>
        push({ kind: 'rank', title: `New rank: ${p.newRank}`, body: `Up from ${p.oldRank}` }),
      ),
      on('xp:gained', (p) =>
        push({
          kind: 'xp',
          title: `+${p.amount.toLocaleString('en')} XP`,
          body: `${p.source} · ${p.totalXp.toLocaleString('en')} XP in total`,
        }),
      ),
    ];
    return () => subscriptions.forEach((unsubscribe) => unsubscribe());
  }, [on, push]);

  return (
    <section className="toasts" aria-label="Live updates" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.kind}`} data-testid="toast" data-kind={t.kind}>
          <span className="toast__icon">{ICONS[t.kind]}</span>
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
