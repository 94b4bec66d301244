import { besideBaseline } from './beside-baseline.mjs';

const rate = (m) => m.connect?.connectionsPerSec;

describe('the baseline measured beside a Herald storm', () => {
  it('is the geometric mean of the storms before and after', () => {
    const repeat = {
      baselineBeside: [
        { connect: { connectionsPerSec: 400 } },
        { connect: { connectionsPerSec: 900 } },
      ],
    };
    expect(besideBaseline(repeat, rate)).toBeCloseTo(600, 6);
  });

  it('uses the one storm there is when the other failed to measure', () => {
    const repeat = { baselineBeside: [{ connect: { connectionsPerSec: 750 } }, { connect: {} }] };
    expect(besideBaseline(repeat, rate)).toBe(750);
  });

  it('is undefined for a repeat measured without baseline storms beside it', () => {
    expect(besideBaseline({}, rate)).toBeUndefined();
    expect(
      besideBaseline({ baselineBeside: [{ connect: { connectionsPerSec: 0 } }] }, rate),
    ).toBeUndefined();
  });
});
