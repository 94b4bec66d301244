import { useEffect, useState, type FormEvent } from 'react';
import { usePreferences } from '@herald/realtime-react';
import type { Preferences } from '@herald/ws-contracts';

const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/**
 * The signed-in user's channel preferences: e-mail and webhook on or off, and quiet hours
 * (escalations wait until they end; the live push never does). Live across devices.
 */
export function PreferencesPanel({ token }: { token: string }) {
  const { preferences, status, error, save } = usePreferences({ token });
  const [draft, setDraft] = useState<Preferences | null>(null);
  const [saved, setSaved] = useState(false);

  // A change from another device replaces the form's state.
  useEffect(() => setDraft(preferences), [preferences]);

  if (!draft) {
    return (
      <section className="card" aria-labelledby="preferences-title">
        <h2 id="preferences-title" className="card__title">
          Notification settings
        </h2>
        <p className="muted">{status === 'error' ? error : 'Loading…'}</p>
      </section>
    );
  }

  const setChannel = (channel: 'email' | 'webhook', on: boolean) =>
    setDraft({ ...draft, channels: { ...draft.channels, [channel]: on } });
  const quiet = draft.quietHours;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    save(draft).then(
      () => setSaved(true),
      () => undefined, // `error` shows the server's message
    );
  };

  return (
    <section className="card" aria-labelledby="preferences-title" data-testid="preferences-panel">
      <h2 id="preferences-title" className="card__title">
        Notification settings
      </h2>
      <form className="form" onSubmit={submit}>
        <label>
          <input
            type="checkbox"
            checked={draft.channels.email}
            onChange={(e) => setChannel('email', e.target.checked)}
          />{' '}
          E-mail me what I miss
        </label>
        <label>
          <input
            type="checkbox"
            checked={draft.channels.webhook}
            onChange={(e) => setChannel('webhook', e.target.checked)}
          />{' '}
          Send what I miss to the webhook
        </label>
        <label>
          <input
            type="checkbox"
            checked={quiet !== null}
            onChange={(e) =>
              setDraft({
                ...draft,
                quietHours: e.target.checked
                  ? { start: '22:00', end: '07:00', timezone: BROWSER_ZONE }
                  : null,
              })
            }
          />{' '}
          Quiet hours
        </label>
        {quiet ? (
          <div className="form__row">
            <label htmlFor="quiet-start">From</label>
            <input
              id="quiet-start"
              type="time"
              value={quiet.start}
              onChange={(e) =>
                setDraft({ ...draft, quietHours: { ...quiet, start: e.target.value } })
              }
            />
            <label htmlFor="quiet-end">to</label>
            <input
              id="quiet-end"
              type="time"
              value={quiet.end}
              onChange={(e) =>
                setDraft({ ...draft, quietHours: { ...quiet, end: e.target.value } })
              }
            />
            <label htmlFor="quiet-zone">in</label>
            <input
              id="quiet-zone"
              value={quiet.timezone}
              onChange={(e) =>
                setDraft({ ...draft, quietHours: { ...quiet, timezone: e.target.value } })
              }
            />
          </div>
        ) : null}
        <button type="submit" disabled={status === 'saving'}>
          Save
        </button>
        {error ? (
          <p className="feedback feedback--error" role="alert">
            {error}
          </p>
        ) : saved ? (
          <p className="feedback feedback--ok" role="status">
            Saved on every device
          </p>
        ) : null}
      </form>
    </section>
  );
}
