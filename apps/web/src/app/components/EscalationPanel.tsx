import { useEffect, useState, type FormEvent } from 'react';
import type { Notification } from '@herald/ws-contracts';
import { escalationApi, type EscalationView } from '../lib/escalation-api';
import { DEMO_CAST } from '../lib/session';
import { WebhookInbox } from './WebhookInbox';

const POLL_MS = 1_000;

/**
 * Sends a notification to a user who is offline (sign them out everywhere first) and shows
 * its escalation happening: pending until the delay, then sent, retried, skipped by their
 * preferences, or cancelled because a device received it first.
 */
export function EscalationPanel({ token, me }: { token: () => string | null; me: string }) {
  const others = DEMO_CAST.filter((u) => u.id !== me);
  const [to, setTo] = useState(others[0]?.id ?? me);
  const [delay, setDelay] = useState(5);
  const [sent, setSent] = useState<Notification | null>(null);
  const [view, setView] = useState<EscalationView | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!sent) return;
    let stopped = false;
    const poll = async () => {
      const current = token();
      if (!current || stopped) return;
      try {
        const next = await escalationApi.status(current, sent.id);
        if (stopped) return;
        setView(next);
        const settled =
          next.escalations.length > 0 && next.escalations.every((e) => e.status !== 'pending');
        if (!settled) timer = setTimeout(() => void poll(), POLL_MS);
      } catch (failure) {
        if (!stopped) setError(failure instanceof Error ? failure.message : String(failure));
      }
    };
    let timer = setTimeout(() => void poll(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [sent, token]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const current = token();
    if (!current) return;
    setError(null);
    setView(null);
    escalationApi
      .send(current, {
        userId: to,
        title: 'You have a new message',
        message: 'Sent while you were away: Herald escalates it if no device receives it.',
        escalateAfterSeconds: delay,
      })
      .then(setSent, (failure: Error) => setError(failure.message));
  };

  return (
    <section className="card" aria-labelledby="escalation-title" data-testid="escalation-panel">
      <h2 id="escalation-title" className="card__title">
        Escalation
      </h2>
      <p className="muted">
        A notification no device receives in time goes out by webhook and e-mail. Send one to a user
        with no open window and watch it leave.
      </p>
      <form className="form" onSubmit={submit}>
        <label htmlFor="escalation-to">Recipient</label>
        <select id="escalation-to" value={to} onChange={(e) => setTo(e.target.value)}>
          {DEMO_CAST.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name ?? u.id}
            </option>
          ))}
        </select>
        <label htmlFor="escalation-delay">Escalate after (seconds)</label>
        <input
          id="escalation-delay"
          type="number"
          min={0}
          max={3600}
          value={delay}
          onChange={(e) => setDelay(Number(e.target.value))}
        />
        <button type="submit">Send and watch</button>
      </form>
      {error ? (
        <p className="feedback feedback--error" role="alert">
          {error}
        </p>
      ) : null}
      {view ? <EscalationList view={view} /> : null}
      <WebhookInbox token={token} highlight={sent?.id} />
    </section>
  );
}

function EscalationList({ view }: { view: EscalationView }) {
  if (view.configured.length === 0) {
    return (
      <p className="muted" data-testid="escalation-status">
        No channel is configured (set ESCALATION_WEBHOOK_URL or SMTP_URL; see docs/channels.md).
      </p>
    );
  }
  return (
    <ul className="escalations" data-testid="escalation-status">
      {view.escalations.map((e) => (
        <li key={e.channel}>
          <strong>{e.channel}</strong> {e.status}{' '}
          <span className="muted">
            {e.status === 'pending' ? 'due' : 'at'} {new Date(e.at).toLocaleTimeString()}
          </span>
        </li>
      ))}
    </ul>
  );
}
