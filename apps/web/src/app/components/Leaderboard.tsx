import { useEffect, useState } from 'react';
import { useSocket } from '@herald/realtime-react';
import type { LeaderboardEntry } from '@herald/ws-contracts';
import { api } from '../lib/api';

/** Loaded over HTTP on every (re)connect, then live from `leaderboard:updated`. */
export function Leaderboard({ token, me }: { token: () => string | null; me: string }) {
  const [entries, setEntries] = useState<LeaderboardEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const {
    on,
    state: { status },
  } = useSocket();

  useEffect(() => {
    const current = token();
    if (status !== 'connected' || !current) return;
    let cancelled = false;
    api.leaderboard(current).then(
      (answer) => {
        if (cancelled) return;
        setEntries(answer.leaderboard);
        setError(null);
      },
      (failure: Error) => {
        if (!cancelled) setError(failure.message);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [status, token]);

  useEffect(() => on('leaderboard:updated', (p) => setEntries(p.leaderboard)), [on]);

  return (
    <section className="card" aria-labelledby="leaderboard-title" data-testid="leaderboard">
      <h2 id="leaderboard-title" className="card__title">
        Leaderboard <span className="live-tag">live</span>
      </h2>
      {error ? <p role="alert">{error}</p> : null}
      {entries === null ? (
        <p className="muted">Loading…</p>
      ) : entries.length === 0 ? (
        <p className="muted">No players yet. Grant some XP below.</p>
      ) : (
        <table className="leaderboard">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Player</th>
              <th scope="col">Rank</th>
              <th scope="col" className="num">
                XP
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr
                key={e.userId}
                className={e.userId === me ? 'is-me' : undefined}
                data-testid="leaderboard-row"
                data-user={e.userId}
              >
                <td>{e.position}</td>
                <td>
                  {e.name ?? e.userId}
                  {e.userId === me ? <span className="you"> (you)</span> : null}
                </td>
                <td>{e.rank}</td>
                <td className="num">{e.xp.toLocaleString('en')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
