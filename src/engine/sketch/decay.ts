/**
 * Two-speed decayed counters, as one plain JSON-able number array: a few lanes of "recent" counts
 * that decay with a short half-life, and "baseline" counts fed by what decays out of the recent
 * ones and decaying with a long half-life. The baseline therefore lags the recent window: a burst
 * is judged against the seller's own past, not against itself.
 *
 * Layout of a block: [hour, recent_0 … recent_{n−1}, base_0 … base_{n−1}]; `hour` is the event-time
 * hour up to which decay has been applied (−1 before the first advance). A signal keeps its blocks
 * (counters of other half-lives, other lanes) and any other unboxed numbers in one array at fixed
 * places (`Block.at`), allocated at its exact size: each array costs a header, and a double in an
 * object field a box of its own, which small sellers' state cannot afford.
 *
 * Decay is applied in whole hours by repeated multiplication (exact IEEE arithmetic, so replays
 * agree bit for bit on every platform), when the caller advances the clock, not per event.
 */

export const HOUR_MS = 3_600_000;

export type DecayedCounts = number[];

/** Where a block starts in its array, and its lanes. */
export interface Block {
  readonly at: number;
  readonly lanes: number;
}

export function block(lanes: number, at = 0): Block {
  return { at, lanes };
}

/** The index just past a block: where the next one starts. */
export function blockEnd(b: Block): number {
  return b.at + 1 + 2 * b.lanes;
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

/** An array holding `blocks`, empty (every number 0, every hour −1); `size` numbers in all. */
export function decayedCreate(size: number, ...blocks: readonly Block[]): DecayedCounts {
  const d = new Array<number>(size).fill(0);
  for (const b of blocks) d[b.at] = -1;
  return d;
}

/**
 * `d` with the empty block `b` inserted at b.at, the numbers from there on (a caller's own, such as
 * review_timing's order table) moved up behind it: a new array, of the exact size.
 */
export function decayedGrow(d: DecayedCounts, b: Block): DecayedCounts {
  const grow = blockEnd(b) - b.at;
  const out = new Array<number>(d.length + grow);
  for (let i = 0; i < b.at; i++) out[i] = d[i]!;
  out.fill(0, b.at, b.at + grow);
  out[b.at] = -1;
  for (let i = b.at; i < d.length; i++) out[i + grow] = d[i]!;
  return out;
}

/** The hour up to which decay has been applied, −1 before the first advance. */
export function decayedHour(d: DecayedCounts, b: Block): number {
  return d[b.at]!;
}

export function recent(d: DecayedCounts, b: Block, lane: number): number {
  return d[b.at + 1 + lane]!;
}

export function base(d: DecayedCounts, b: Block, lane: number): number {
  return d[b.at + 1 + b.lanes + lane]!;
}

export function addRecent(d: DecayedCounts, b: Block, lane: number, n = 1): void {
  d[b.at + 1 + lane]! += n;
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
 * Decays both speeds of block `b` up to the hour containing `now`. With `learn` false what leaves the recent
 * counts is not fed to the baseline (a signal that is firing must not learn the anomaly as normal).
 */
export function decayedAdvance(d: DecayedCounts, b: Block, now: number, f: DecayFactors, learn = true): void {
  const hour = Math.floor(now / HOUR_MS);
  const at = b.at;
  if (d[at]! < 0) {
    d[at] = hour;
    return;
  }
  const steps = hour - d[at]!;
  if (steps <= 0) return;
  d[at] = hour;
  const lanes = b.lanes;
  if (steps > MAX_STEPS) {
    d.fill(0, at + 1, blockEnd(b));
    return;
  }
  for (let s = 0; s < steps; s++) {
    for (let i = at + 1; i <= at + lanes; i++) {
      const r = d[i]!;
      const kept = r * f.recent;
      d[i] = kept;
      d[i + lanes] = d[i + lanes]! * f.base + (learn ? r - kept : 0);
    }
  }
}
