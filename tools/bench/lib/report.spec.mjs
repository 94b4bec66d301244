import { summarizeRun } from './report.mjs';

/** A storm's figures as the driver records them (the memory readings left out). */
const storm = (connectionsPerSec, serverCpuMsPerHandshake) => ({
  connectionsPerSec,
  serverCpuMsPerHandshake,
  memory: {},
});

/** A run of one repeat: the baseline's own storm, and Herald's with baseline storms beside it. */
function runWith(heraldRepeat) {
  return {
    meta: { mode: 'full', config: {} },
    targets: {
      d: {
        label: 'baseline (raw Socket.IO)',
        repeats: [{ repeat: 0, connect: storm(2_000, 0.5) }],
      },
      a: { label: 'Herald, embedded PGlite', repeats: [{ repeat: 0, ...heraldRepeat }] },
    },
    capacity: {},
  };
}

const connectCheck = (summary) =>
  summary.checks.find((c) => c.text.startsWith('Herald, embedded PGlite — connect storm'));

describe('the benchmark report', () => {
  it('takes the connect ratio against the baseline storms measured beside Herald', () => {
    const summary = summarizeRun(
      runWith({
        connect: storm(900, 1),
        baselineBeside: [
          { when: 'before', connect: storm(800, 0.8) },
          { when: 'after', connect: storm(1_250, 1.25) },
        ],
      }),
    );
    // 900 against the geometric mean of 800 and 1,250 (1,000), not the baseline's own 2,000.
    expect(summary.figures.a['connect.rate'].ratio.median).toBeCloseTo(0.9, 6);
    expect(connectCheck(summary)).toMatchObject({ met: true });
    expect(connectCheck(summary).text).toContain('vs baseline 1000, measured beside it');
    expect(summary.figures.a['connect.cpu'].ratio.median).toBeCloseTo(1, 6);
  });

  it("falls back to the baseline's own repeat for a run recorded without them", () => {
    const summary = summarizeRun(runWith({ connect: storm(900, 1) }));
    expect(summary.figures.a['connect.rate'].ratio.median).toBeCloseTo(0.45, 6);
    expect(connectCheck(summary)).toMatchObject({ met: false });
    expect(connectCheck(summary).text).not.toContain('measured beside it');
  });
});
