/**
 * Two-speed decayed counters, as plain JSON-able data: a few lanes of "recent" counts that decay
 * with a short half-life, and "baseline" counts fed by what decays out of the recent ones and
 * decaying with a long half-life. The baseline therefore lags the recent window: a burst is
 * judged against the seller's own past, not against itself.
 *
 * Decay is applied in whole hours by repeated multiplication (exact IEEE arithmetic, so replays
 * agree bit for bit on every platform), when the caller advances the clock, not per event.
 */

export const HOUR_MS = 3_600_000;

export interface DecayedCounts {
  readonly recent: number[];
  readonly base: number[];
  /** Event-time hour up to which decay has been applied; −1 before the first advance. */
  hour: number;
}

export interface DecayFactors {
  /** Per-hour multipliers of the recent and the baseline counts. */
  readonly recent: number;
  readonly base: number;
}

/** Per-hour factors for the two half-lives, computed once at setup. */
export function decayFactors(recentHalfLifeHours: number, baseHalfLifeHours: number): DecayFactors {
  return { recent: 2 ** (-1 / recentHalfLifeHours), base: 2 ** (-1 / baseHalfLifeHours) };
}

export function decayedCreate(lanes: number): DecayedCounts {
  return { recent: new Array<number>(lanes).fill(0), base: new Array<number>(lanes).fill(0), hour: -1 };
}

/** Beyond this many idle hours every count is treated as fully decayed. */
const MAX_STEPS = 24 * 366;

/** Decays both speeds up to the hour containing `now`. */
export function decayedAdvance(d: DecayedCounts, now: number, f: DecayFactors): void {
  const hour = Math.floor(now / HOUR_MS);
  if (d.hour < 0) {
    d.hour = hour;
    return;
  }
  const steps = hour - d.hour;
  if (steps <= 0) return;
  d.hour = hour;
  if (steps > MAX_STEPS) {
    d.recent.fill(0);
    d.base.fill(0);
    return;
  }
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < d.recent.length; i++) {
      const r = d.recent[i]!;
      const kept = r * f.recent;
      d.recent[i] = kept;
      d.base[i] = d.base[i]! * f.base + (r - kept);
    }
  }
}
