import { CONTRACT_VERSION } from '@herald/ws-contracts';
import {
  RealtimeProvider,
  useConnectionState,
  type RealtimeProviderOptions,
} from '@herald/realtime-react';
import { ConnectionStatus } from './components/ConnectionStatus';
import { ControlPanel } from './components/ControlPanel';
import { EscalationPanel } from './components/EscalationPanel';
import { PreferencesPanel } from './components/PreferencesPanel';
import { Leaderboard } from './components/Leaderboard';
import { NotificationBell } from './components/NotificationBell';
import { initials, Logo, SignIn } from './components/SignIn';
import { Toasts } from './components/Toasts';
import { useSession, type Session, type SessionApi } from './lib/session';

/** Same origin (the dev/preview server proxies /api and /socket.io); quick retries for a demo. */
const REALTIME_OPTIONS: RealtimeProviderOptions = {
  reconnection: { minMs: 500, maxMs: 5_000, jitter: 0.5 },
};

export function App() {
  const auth = useSession();
  return (
    <>
      {auth.session ? (
        <RealtimeProvider
          token={auth.session.token}
          refreshToken={auth.refreshToken}
          options={REALTIME_OPTIONS}
        >
          <Dashboard auth={auth} session={auth.session} />
        </RealtimeProvider>
      ) : (
        <SignIn signIn={auth.signIn} />
      )}
      <footer className="footer">
        Herald demo · Contract v{CONTRACT_VERSION} ·{' '}
        <a href="/api/docs" target="_blank" rel="noreferrer">
          API docs
        </a>
      </footer>
    </>
  );
}

function Dashboard({ auth, session }: { auth: SessionApi; session: Session }) {
  const { user } = session;
  return (
    <div className="shell">
      <header className="topbar">
        <div className="topbar__brand">
          <Logo />
          <span className="topbar__name">Herald</span>
        </div>
        <div className="topbar__right">
          <ConnectionStatus />
          <NotificationBell />
          <span className="user-chip" data-testid="signed-in-user" data-user={user.id}>
            <span className="avatar avatar--small" aria-hidden="true">
              {initials(user.name ?? user.id)}
            </span>
            <span className="user-chip__name">{user.name ?? user.email}</span>
          </span>
          <button type="button" className="ghost" onClick={auth.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <SessionBanner onSignOut={auth.signOut} />
      <main className="content">
        <section className="hero">
          <h1>Hello, {(user.name ?? user.email).split(' ')[0]}</h1>
          <p className="muted">
            Everything on this page is live. Send yourself a notification, grant XP, or broadcast to
            everyone, and watch every open window update at once.
          </p>
        </section>
        <div className="grid">
          <Leaderboard token={auth.currentToken} me={user.id} />
          <ControlPanel token={auth.currentToken} me={user.id} />
          <PreferencesPanel token={session.token} />
          <EscalationPanel token={auth.currentToken} me={user.id} />
        </div>
      </main>
      <Toasts />
    </div>
  );
}

/** When the session cannot be renewed, say so and offer the way out. */
function SessionBanner({ onSignOut }: { onSignOut: () => void }) {
  const state = useConnectionState();
  if (state.status !== 'unauthorized' && state.status !== 'disconnected') return null;
  const text =
    state.status === 'unauthorized'
      ? 'Your session has ended. Sign in again to keep receiving notifications.'
      : 'You were signed out on this device by the server.';
  return (
    <div className="banner" role="alert" data-testid="session-banner">
      <span>{text}</span>
      <button type="button" className="primary" onClick={onSignOut}>
        Sign in again
      </button>
    </div>
  );
}
