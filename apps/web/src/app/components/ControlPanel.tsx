import { useEffect, useState, type FormEvent } from 'react';
import type { DemoUser } from '@herald/ws-contracts';
import { api } from '../lib/api';
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
  const [busy, feedback, act] = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const current = token();
      if (!current) throw new Error('Signed out');
      const recipients = to === '*' ? { userIds: users.map((u) => u.id) } : { userId: to };
      await api.sendNotification(current, { ...recipients, title, message, type });
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
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Sending…' : 'Send notification'}
      </button>
      <FeedbackLine feedback={feedback} />
    </form>
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
