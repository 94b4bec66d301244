import { useConnectionState, type ConnectionStatus as Status } from '@herald/realtime-react';

const LABELS: Record<Status, string> = {
  idle: 'Offline',
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  unauthorized: 'Signed out',
  disconnected: 'Disconnected',
};

/** The connection state as a small pill; its text is what screen readers hear. */
export function ConnectionStatus() {
  const state = useConnectionState();
  const title = state.errorCode
    ? `${LABELS[state.status]} (${state.errorCode})`
    : LABELS[state.status];
  return (
    <span
      className={`connection connection--${state.status}`}
      data-testid="connection-state"
      data-status={state.status}
      role="status"
      title={title}
    >
      <span className="connection__dot" aria-hidden="true" />
      <span>{LABELS[state.status]}</span>
      {state.status === 'reconnecting' && state.attempt > 0 ? (
        <span className="connection__attempt"> · attempt {state.attempt}</span>
      ) : null}
    </span>
  );
}
