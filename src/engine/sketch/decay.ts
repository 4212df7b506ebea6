/**
 * Two-speed decayed counters, as one plain JSON-able number array: a few lanes of "recent" counts
 * that decay with a short half-life, and "baseline" counts fed by what decays out of the recent
 * ones and decaying with a long half-life. The baseline therefore lags the recent window: a burst
 * is judged against the seller's own past, not against itself.
 *
 * Layout: [hour, recent_0 … recent_{n−1}, base_0 … base_{n−1}]; `hour` is the event-time hour up to
 * which decay has been applied (−1 before the first advance). One array, allocated at its exact
 * size, because small sellers' state must stay small.
 *
 * Decay is applied in whole hours by repeated multiplication (exact IEEE arithmetic, so replays
 * agree bit for bit on every platform), when the caller advances the clock, not per event.
 */

export const HOUR_MS = 3_600_000;

export type DecayedCounts = number[];

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
  const d = new Array<number>(1 + 2 * lanes).fill(0);
  d[0] = -1;
  return d;
}

export function lanesOf(d: DecayedCounts): number {
  return (d.length - 1) / 2;
}

/** The hour up to which decay has been applied, −1 before the first advance. */
export function decayedHour(d: DecayedCounts): number {
  return d[0]!;
}

export function recent(d: DecayedCounts, lane: number): number {
  return d[1 + lane]!;
}

export function base(d: DecayedCounts, lane: number): number {
  return d[1 + lanesOf(d) + lane]!;
}

export function addRecent(d: DecayedCounts, lane: number, n = 1): void {
  d[1 + lane]! += n;
}

/** Beyond this many idle hours every count is treated as fully decayed. */
const MAX_STEPS = 24 * 366;

/**
 * The longest a signal on these counters may call itself quiet (SellerSignal.quietUntil): skipped
 * hours are then decayed in one later advance, which equals advancing hour by hour as long as no
 * advance spans more than MAX_STEPS hours (the engine evicts idle sellers long before; see
 * QUIET_MAX_IDLE_MS in engine.ts).
 */
export const QUIET_MAX_MS = 7 * 24 * HOUR_MS;

/**
 * Decays both speeds up to the hour containing `now`. With `learn` false what leaves the recent
 * counts is not fed to the baseline (a signal that is firing must not learn the anomaly as normal).
 */
export function decayedAdvance(d: DecayedCounts, now: number, f: DecayFactors, learn = true): void {
  const hour = Math.floor(now / HOUR_MS);
  if (d[0]! < 0) {
    d[0] = hour;
    return;
  }
  const steps = hour - d[0]!;
  if (steps <= 0) return;
  d[0] = hour;
  const lanes = lanesOf(d);
  if (steps > MAX_STEPS) {
    d.fill(0, 1);
    return;
  }
  for (let s = 0; s < steps; s++) {
    for (let i = 1; i <= lanes; i++) {
      const r = d[i]!;
      const kept = r * f.recent;
      d[i] = kept;
      d[i + lanes] = d[i + lanes]! * f.base + (learn ? r - kept : 0);
    }
  }
}
