/**
 * The demo game's rules, as data: ranks by XP threshold and the achievements a player can
 * unlock. Pure functions, so they are unit-tested without a database.
 */

export interface Rank {
  name: string;
  minXp: number;
}

/** Ascending by threshold; the first one starts at 0. */
export const RANKS: readonly Rank[] = [
  { name: 'Novato', minXp: 0 },
  { name: 'Aprendiz', minXp: 2_000 },
  { name: 'Experto', minXp: 5_000 },
  { name: 'Mestre', minXp: 10_000 },
  { name: 'Lenda', minXp: 20_000 },
];

export const STARTING_RANK = RANKS[0].name;

export function rankFor(xp: number): Rank {
  let current = RANKS[0];
  for (const rank of RANKS) if (xp >= rank.minXp) current = rank;
  return current;
}

/** XP needed to reach the rank after `rankName`; undefined at the top. */
export function nextThresholdAfter(rankName: string): number | undefined {
  const index = RANKS.findIndex((r) => r.name === rankName);
  return index >= 0 ? RANKS[index + 1]?.minXp : undefined;
}

export interface Achievement {
  id: string;
  title: string;
  description: string;
  icon: string;
}

export const ACHIEVEMENTS = {
  firstSignIn: {
    id: 'first-sign-in',
    title: 'Welcome aboard',
    description: 'Signed in for the first time',
    icon: '👋',
  },
  firstXp: {
    id: 'first-xp',
    title: 'First steps',
    description: 'Earned XP for the first time',
    icon: '✨',
  },
  xp1000: { id: 'xp-1000', title: 'One thousand', description: 'Reached 1,000 XP', icon: '🏅' },
  xp10000: { id: 'xp-10000', title: 'Ten thousand', description: 'Reached 10,000 XP', icon: '🏆' },
} as const satisfies Record<string, Achievement>;

/** Achievements a player with `totalXp` after a grant qualifies for (unlocked ones are skipped later). */
export function achievementsForXp(totalXp: number): Achievement[] {
  const earned: Achievement[] = [ACHIEVEMENTS.firstXp];
  if (totalXp >= 1_000) earned.push(ACHIEVEMENTS.xp1000);
  if (totalXp >= 10_000) earned.push(ACHIEVEMENTS.xp10000);
  return earned;
}

/** How many players `leaderboard:updated` and GET /leaderboard carry. */
export const LEADERBOARD_SIZE = 10;
