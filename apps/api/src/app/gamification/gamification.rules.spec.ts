import { achievementsForXp, nextThresholdAfter, rankFor } from './gamification.rules';

describe('gamification rules', () => {
  it('gives the highest rank whose threshold is reached', () => {
    expect(rankFor(0).name).toBe('Novato');
    expect(rankFor(1_999.5).name).toBe('Novato');
    expect(rankFor(2_000).name).toBe('Aprendiz');
    expect(rankFor(9_999).name).toBe('Experto');
    expect(rankFor(1e9).name).toBe('Lenda');
  });

  it('tells the XP of the next rank, none at the top', () => {
    expect(nextThresholdAfter('Novato')).toBe(2_000);
    expect(nextThresholdAfter('Lenda')).toBeUndefined();
  });

  it('offers the XP milestones a total qualifies for', () => {
    expect(achievementsForXp(10).map((a) => a.id)).toEqual(['first-xp']);
    expect(achievementsForXp(1_000).map((a) => a.id)).toEqual(['first-xp', 'xp-1000']);
    expect(achievementsForXp(12_000).map((a) => a.id)).toEqual(['first-xp', 'xp-1000', 'xp-10000']);
  });
});
