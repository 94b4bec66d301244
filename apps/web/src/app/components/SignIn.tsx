import { useState, type FormEvent } from 'react';
import { DEMO_CAST, type SessionApi } from '../lib/session';

/** Demo sign-in: pick a demo user, or any email (the API issues a token for it). */
export function SignIn({ signIn }: { signIn: SessionApi['signIn'] }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [email, setEmail] = useState('');

  const go = async (key: string, who: { email: string; userId?: string }) => {
    setBusy(key);
    setError(null);
    try {
      await signIn(who);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(null);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void go('email', { email });
  };

  return (
    <main className="signin">
      <div className="signin__card">
        <Logo />
        <h1>Sign in to Herald</h1>
        <p className="muted">Real-time notifications, in sync on every device. Pick a demo user.</p>
        <ul className="signin__users" aria-label="Demo users">
          {DEMO_CAST.map((u) => (
            <li key={u.id}>
              <button
                type="button"
                className="user-button"
                disabled={busy !== null}
                onClick={() => void go(u.id, { email: u.email, userId: u.id })}
                aria-label={`Sign in as ${u.name}`}
              >
                <span className="avatar" aria-hidden="true">
                  {initials(u.name ?? u.id)}
                </span>
                <span className="user-button__text">
                  <span className="user-button__name">{u.name}</span>
                  <span className="user-button__email">{u.email}</span>
                </span>
                {busy === u.id ? <span className="spinner" aria-hidden="true" /> : null}
              </button>
            </li>
          ))}
        </ul>
        <form className="signin__email" onSubmit={submit}>
          <label htmlFor="signin-email">Or any email</label>
          <div className="row">
            <input
              id="signin-email"
              type="email"
              placeholder="you@example.com"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
            <button type="submit" className="primary" disabled={busy !== null}>
              Sign in
            </button>
          </div>
        </form>
        {error ? (
          <p className="feedback feedback--error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </main>
  );
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join('');
}

export function Logo() {
  return (
    <span className="logo" aria-hidden="true">
      <svg width="28" height="28" viewBox="0 0 32 32">
        <rect width="32" height="32" rx="8" fill="url(#g)" />
        <path d="M10 22V10h3v4.8h6V10h3v12h-3v-4.6h-6V22z" fill="#fff" />
        <defs>
          <linearGradient id="g" x1="0" y1="0" x2="32" y2="32">
            <stop stopColor="#6366f1" />
            <stop offset="1" stopColor="#a855f7" />
          </linearGradient>
        </defs>
      </svg>
    </span>
  );
}
