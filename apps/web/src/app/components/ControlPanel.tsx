import { useEffect, useState, type FormEvent } from 'react';
import type { DemoUser, Notification } from '@herald/ws-contracts';
import { api, ApiError } from '../lib/api';
import { DEMO_CAST } from '../lib/session';

type Feedback = { kind: 'ok' | 'error'; text: string } | null;

/**
 * Plays "the backend": sends a notification or XP to any demo user, or broadcasts an
 * announcement, through the demo routes (the browser never holds the service key).
 */
export function ControlPanel({ token, me }: { token: () => string | null; me: string }) {
  const [users, setUsers] = useState<Pick<DemoUser, 'id' | 'email' | 'name'>[]>([...DEMO_CAST]);

  useEffect(() => {
    const current = token();
    if (!current) return;
    api.demoUsers(current).then(setUsers, () => undefined); // keep the built-in cast on failure
  }, [token]);

  return (
    <section className="card" aria-labelledby="control-title">
      <h2 id="control-title" className="card__title">
        Control panel
      </h2>
      <p className="muted">
        Act as the backend. Open a second window as another user to watch it arrive.
      </p>
      <div className="forms">
        <SendNotificationForm token={token} users={users} me={me} />
        <GrantXpForm token={token} users={users} me={me} />
        <BroadcastForm token={token} />
      </div>
    </section>
  );
}

function useAction(): [boolean, Feedback, (run: () => Promise<string>) => Promise<void>] {
  const [busy, setBusy] = useState(false);
  const [feedback, setFeedback] = useState<Feedback>(null);
  const act = async (run: () => Promise<string>) => {
    setBusy(true);
    setFeedback(null);
    try {
      setFeedback({ kind: 'ok', text: await run() });
    } catch (error) {
      setFeedback({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
    }
  };
  return [busy, feedback, act];
}

function FeedbackLine({ feedback }: { feedback: Feedback }) {
  if (!feedback) return null;
  return (
    <p
      className={`feedback feedback--${feedback.kind}`}
      role={feedback.kind === 'error' ? 'alert' : 'status'}
    >
      {feedback.text}
    </p>
  );
}

function RecipientSelect({
  id,
  users,
  value,
  onChange,
  allowEveryone,
}: {
  id: string;
  users: Pick<DemoUser, 'id' | 'name'>[];
  value: string;
  onChange: (v: string) => void;
  allowEveryone?: boolean;
}) {
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {users.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name ?? u.id}
        </option>
      ))}
      {allowEveryone ? <option value="*">Everyone in the demo</option> : null}
    </select>
  );
}

function SendNotificationForm({
  token,
  users,
  me,
}: {
  token: () => string | null;
  users: Pick<DemoUser, 'id' | 'name'>[];
  me: string;
}) {
  const [to, setTo] = useState(me);
  const [title, setTitle] = useState('New comment on your post');
  const [message, setMessage] = useState('Bruno: “Looks great, ship it!”');
  const [type, setType] = useState('comment');
  const [expiresIn, setExpiresIn] = useState('0');
  const [busy, feedback, act] = useAction();
  const [sent, setSent] = useState<SentNotification[]>([]);
  useDeliveryTicks(token, sent, setSent);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const current = token();
      if (!current) throw new Error('Signed out');
      const recipients = to === '*' ? { userIds: users.map((u) => u.id) } : { userId: to };
      const seconds = Number(expiresIn);
      const expiresAt =
        seconds > 0 ? new Date(Date.now() + seconds * 1000).toISOString() : undefined;
      const stored = await api.sendNotification(current, {
        ...recipients,
        title,
        message,
        type,
        ...(expiresAt ? { expiresAt } : {}),
      });
      const records = Array.isArray(stored) ? stored : [stored];
      setSent((previous) =>
        [
          ...records.map((n): SentNotification => ({
            notification: n,
            recipient: users.find((u) => u.id === n.userId)?.name ?? n.userId,
            state: 'sent',
          })),
          ...previous,
        ].slice(0, MAX_SENT_SHOWN),
      );
      return to === '*'
        ? `Sent to ${users.length} users`
        : `Sent to ${users.find((u) => u.id === to)?.name ?? to}`;
    });
  };

  return (
    <form
      className="form"
      onSubmit={submit}
      aria-labelledby="send-title"
      data-testid="send-notification-form"
    >
      <h3 id="send-title">Send a notification</h3>
      <label htmlFor="send-to">Recipient</label>
      <RecipientSelect id="send-to" users={users} value={to} onChange={setTo} allowEveryone />
      <label htmlFor="send-title-input">Title</label>
      <input
        id="send-title-input"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        required
        maxLength={200}
      />
      <label htmlFor="send-message">Message</label>
      <textarea
        id="send-message"
        value={message}
        onChange={(e) => setMessage(e.target.value)}
        required
        rows={2}
        maxLength={5000}
      />
      <label htmlFor="send-type">Type</label>
      <select id="send-type" value={type} onChange={(e) => setType(e.target.value)}>
        <option value="comment">comment</option>
        <option value="info">info</option>
        <option value="warning">warning</option>
        <option value="billing">billing</option>
      </select>
      <label htmlFor="send-expires">Expires</label>
      <select id="send-expires" value={expiresIn} onChange={(e) => setExpiresIn(e.target.value)}>
        <option value="0">never</option>
        <option value="20">in 20 seconds</option>
        <option value="120">in 2 minutes</option>
      </select>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Sending…' : 'Send notification'}
      </button>
      <FeedbackLine feedback={feedback} />
      <SentList sent={sent} />
    </form>
  );
}

/** Sends shown with their delivery state, newest first. */
const MAX_SENT_SHOWN = 6;
/** How often the panel asks where its sends stand. */
const STATUS_POLL_MS = 1_000;

interface SentNotification {
  notification: Notification;
  recipient: string;
  /** `delivered`: a device of the recipient confirmed it; `expired`: its expiresAt passed. */
  state: 'sent' | 'delivered' | 'expired';
}

/**
 * Asks the status endpoint, once a second, where the panel's recent sends stand: the
 * recipient's client library confirms each notification it gets (`notification:received`),
 * which sets `deliveredAt`; an expired notification is deleted, so its status is a 404.
 */
function useDeliveryTicks(
  token: () => string | null,
  sent: SentNotification[],
  setSent: (update: (previous: SentNotification[]) => SentNotification[]) => void,
) {
  const watching = sent.some(
    (s) => s.state === 'sent' || (s.state === 'delivered' && s.notification.expiresAt),
  );
  useEffect(() => {
    if (!watching) return;
    const timer = setInterval(() => {
      const current = token();
      if (!current) return;
      for (const entry of sent) {
        if (entry.state === 'expired') continue;
        if (entry.state === 'delivered' && !entry.notification.expiresAt) continue;
        api.notificationStatus(current, entry.notification.id).then(
          (status) => {
            if (status.deliveredAt) update(entry.notification.id, 'delivered');
          },
          (error: unknown) => {
            if (error instanceof ApiError && error.status === 404)
              update(entry.notification.id, 'expired');
          },
        );
      }
    }, STATUS_POLL_MS);
    return () => clearInterval(timer);

    function update(id: string, state: SentNotification['state']) {
      setSent((previous) =>
        previous.map((s) =>
          s.notification.id === id && s.state !== state && s.state !== 'expired'
            ? { ...s, state }
            : s,
        ),
      );
    }
  }, [token, sent, setSent, watching]);
}

function SentList({ sent }: { sent: SentNotification[] }) {
  if (sent.length === 0) return null;
  return (
    <ul className="sent-list" aria-label="Sent notifications" data-testid="sent-notifications">
      {sent.map(({ notification, recipient, state }) => (
        <li key={notification.id} className={`sent-list__item sent-list__item--${state}`}>
          <span className="sent-list__title">
            {notification.title} → {recipient}
          </span>
          <span className="sent-list__state" data-state={state}>
            {state === 'delivered' ? '✓ Delivered' : state === 'expired' ? 'Expired' : 'Sent'}
            {notification.expiresAt && state !== 'expired'
              ? ` · expires ${new Date(notification.expiresAt).toLocaleTimeString()}`
              : ''}
          </span>
        </li>
      ))}
    </ul>
  );
}

function GrantXpForm({
  token,
  users,
  me,
}: {
  token: () => string | null;
  users: Pick<DemoUser, 'id' | 'name'>[];
  me: string;
}) {
  const [to, setTo] = useState(me);
  const [amount, setAmount] = useState('250');
  const [source, setSource] = useState('quiz');
  const [busy, feedback, act] = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const current = token();
      if (!current) throw new Error('Signed out');
      const result = await api.grantXp(current, { userId: to, amount: Number(amount), source });
      return `${result.userId} now has ${result.totalXp.toLocaleString('en')} XP (${result.rank})`;
    });
  };

  return (
    <form className="form" onSubmit={submit} aria-labelledby="xp-title" data-testid="grant-xp-form">
      <h3 id="xp-title">Grant XP</h3>
      <label htmlFor="xp-to">Player</label>
      <RecipientSelect id="xp-to" users={users} value={to} onChange={setTo} />
      <label htmlFor="xp-amount">Amount</label>
      <input
        id="xp-amount"
        type="number"
        min={1}
        max={1_000_000}
        step={1}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        required
      />
      <label htmlFor="xp-source">Source</label>
      <input
        id="xp-source"
        value={source}
        onChange={(e) => setSource(e.target.value)}
        required
        maxLength={64}
      />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Granting…' : 'Grant XP'}
      </button>
      <FeedbackLine feedback={feedback} />
    </form>
  );
}

function BroadcastForm({ token }: { token: () => string | null }) {
  const [title, setTitle] = useState('Season 2 has started');
  const [description, setDescription] = useState('New quests and double XP all weekend.');
  const [busy, feedback, act] = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const current = token();
      if (!current) throw new Error('Signed out');
      await api.broadcast(current, 'achievement:unlocked', {
        achievementId: 'announcement',
        title,
        description,
        icon: '📣',
      });
      return 'Broadcast to every connected device';
    });
  };

  return (
    <form
      className="form"
      onSubmit={submit}
      aria-labelledby="broadcast-title"
      data-testid="broadcast-form"
    >
      <h3 id="broadcast-title">Broadcast an announcement</h3>
      <label htmlFor="broadcast-title-input">Title</label>
      <input
        id="broadcast-title-input"
        value={title}
        onChange={(e) => setTitle(e.target.value)}
        required
        maxLength={200}
      />
      <label htmlFor="broadcast-description">Text</label>
      <textarea
        id="broadcast-description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        rows={2}
        maxLength={5000}
      />
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Broadcasting…' : 'Broadcast to everyone'}
      </button>
      <FeedbackLine feedback={feedback} />
    </form>
  );
}
