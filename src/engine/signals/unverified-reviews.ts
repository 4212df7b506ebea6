/**
 * Signal 8, `unverified_reviews` (family unverified): a burst of reviews without an order
 * (orderId null) against the seller's own baseline. Bought review campaigns often skip the
 * order entirely.
 *
 * Counts per event hour (reviews, unverified reviews) over the window; the baseline is an EWMA
 * of the hourly counts of the hours *before* the window, so a burst does not raise its own bar.
 * It fires when the window's unverified count is both well above the seller's rate and a large
 * share of its reviews: a big seller's few stray unverified reviews are a small share.
 *
 * A bought campaign posts in batches, days apart. A batch that fired earlier within recurrenceMs
 * reinforces the current one by noisy-OR (two independent bursts of the same kind), so two bursts
 * of 7 (0.6 each) reach 0.84 where either alone stays below the 0.8 a lone family needs.
 *
 * A slow lane beside the window: a farm that drips its unverified reviews over days or weeks
 * never has minCount in one window. Decayed counts of reviews and unverified reviews (a
 * multi-day half-life) give the recent unverified share, judged against the seller's baseline
 * share (the EWMAs above) blended with a population prior; it needs slowMinCount decayed
 * unverified reviews, so a couple of honest gift reviews never fire. Honest unverified reviews
 * (gifts, an order placed on another account) stay a small share of a seller's reviews, while a
 * drip-fed campaign is most of them.
 */
import { z } from 'zod';
import type { MarketEvent, SellerContext, SellerSignal, SignalFinding } from '../types.js';
import { addAt, countInHour, dropHoursBefore, fromRing, HOUR_MS, NO_HOURS, rampStrength, sumBetween, type HourCounts } from './hour-counts.js';
import { EMPTY } from '../sketch/lists.js';
import { round2 } from './curve.js';

export const configSchema = z.object({
  windowMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .max(48 * HOUR_MS)
    .refine((v) => v % HOUR_MS === 0, 'windowMs must be whole hours (multiples of 3600000)')
    .default(6 * HOUR_MS)
    .describe('Window in which a burst is counted, whole hours in ms (1 h to 48 h). Default 6 h.'),
  baselineHalfLifeMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(7 * 24 * HOUR_MS)
    .describe("Half-life of the seller's hourly baseline (EWMA), ms. Default 7 days."),
  priorPerHour: z
    .number()
    .min(0)
    .default(0.02)
    .describe('Unverified reviews per hour assumed at least, also for a seller with no history. Default 0.02.'),
  minCount: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Unverified reviews in the window needed at least. Default 5.'),
  rateFactor: z
    .number()
    .min(1)
    .default(4)
    .describe('And at least this many times the expected count for the window. Default 4.'),
  minShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe("And at least this share of the window's reviews. Default 0.3."),
  shareFactor: z
    .number()
    .min(1)
    .default(2)
    .describe("And at least this many times the seller's baseline share (capped at 0.9). Default 2."),
  fullFactor: z
    .number()
    .gt(1)
    .default(3)
    .describe('Strength reaches 1 at this many times the count threshold (0.5 at it). Default 3.'),
  recurrenceMs: z
    .number()
    .int()
    .min(0)
    .default(7 * 24 * HOUR_MS)
    .describe(
      'An earlier burst (a run of firing windows that ended before the current window began) this recent reinforces the current one: strength 1 − (1 − now)(1 − earlier). 0 disables. Default 7 days.',
    ),
  maxEvidence: z
    .number()
    .int()
    .min(1)
    .default(24)
    .describe('Most recent unverified reviews kept as evidence. Default 24.'),
  slowHalfLifeHours: z
    .number()
    .gt(0)
    .default(120)
    .describe(
      'Half-life of the slow lane\'s decayed counts of reviews and unverified reviews, hours (about a week of memory): a farm dripping a review or two a day never has minCount in one window. Default 120.',
    ),
  slowMinCount: z
    .number()
    .gt(0)
    .default(4)
    .describe('Decayed unverified reviews the slow lane needs: a couple of honest gift reviews never reach it. Default 4.'),
  slowFullFactor: z
    .number()
    .gt(1)
    .default(2)
    .describe("The slow lane's strength reaches 1 at this many times its share threshold (0.5 at it): at the default 0.3, when 60% of the recent reviews have no order. Default 2."),
  populationShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.02)
    .describe("Population prior of the slow lane: the share of an ordinary seller's reviews without an order. Default 0.02."),
  priorWeight: z
    .number()
    .min(0)
    .default(50)
    .describe(
      "The prior weighs as this many reviews against the seller's baseline (its EWMAs as review counts) in the slow lane: a small shop's share over its few reviews, a drip among them, hardly moves its bar, while a seller with dozens of reviews a day whose reviews are steadily mostly unverified overrules the prior within a day. Default 50.",
    ),
});
export type Config = z.infer<typeof configSchema>;

/** One unverified review as it was kept before `recent` was flat (see State.recent). */
export type Unverified = [t: number, reviewId: string, buyerId: string];

/** Numbers and ids per review in State.recent: time, review id, buyer id. */
const RECENT = 3;

export interface State {
  /**
   * The EWMAs of hourly reviews and unverified reviews (not bias-corrected), then the slow lane:
   * the hour its counts are decayed to (−1 before its first review) and its decayed counts of
   * reviews and unverified reviews (indices: EW_REVIEWS…), then from RATES on the hour counts
   * (hour-counts.ts; lane 0: reviews, lane 1: unverified reviews; a ring of the window's hours
   * plus SLACK_SLOTS, without the hours already folded). Absent until the seller's first review:
   * the EWMAs are 0 before it, and no hour is held. One array, stored unboxed: as fields the two
   * EWMAs were boxed doubles on every seller, 48 bytes with their fields, and the slow lane and
   * the hours had arrays of their own. Snapshots before hold them as the fields `ewReviews`,
   * `ewUnverified`, `slow` and `counts` (see upgrade).
   */
  rates?: number[] | undefined;
  /** Hours folded into the EWMAs so far (capped; for the bias correction) and the next hour to fold. */
  folded: number;
  nextHour: number;
  /**
   * The latest unverified reviews, oldest first, flat: time, review id, buyer id for each. A list
   * of three-item arrays cost 72 bytes a review more (the array and its store, and the time's box
   * is the same). Snapshots before hold a list of [t, reviewId, buyerId] (see upgrade).
   */
  recent: readonly (number | string)[];
  /**
   * Bursts: the latest evaluation time that fired and the strongest own strength of the burst it
   * belongs to; the strongest earlier burst within recurrenceMs, its last firing time and strength.
   * Absent (read as −1 and 0) until the seller's first burst: four fields, two of them boxed
   * doubles, on every seller otherwise; also absent in a snapshot of the earlier layout.
   */
  burstLast?: number;
  burstStrength?: number;
  earlierAt?: number;
  earlierStrength?: number;
}

/** State.rates, indices. */
const EW_REVIEWS = 0;
const EW_UNVERIFIED = 1;
const SLOW_HOUR = 2;
const SLOW_REVIEWS = 3;
const SLOW_UNVERIFIED = 4;

/** Numbers before the hour counts in State.rates. */
const RATES = 5;

/** The rates' and hours' fields as saved before they were merged (the slow lane absent in states saved before it, and until the first review since). */
export interface SeparateRates {
  ewReviews?: number | undefined;
  ewUnverified?: number | undefined;
  slow?: [hour: number, reviews: number, unverified: number] | undefined;
  /** The hour counts, or in a layout older still the ring { hours, counts }. */
  counts?: HourCounts | { hours: number[]; counts: number[] } | undefined;
}

/** Reads a state restored from a snapshot saved before the rates and hours were merged or the recent reviews flat. */
function upgrade(state: State): void {
  const recent = state.recent;
  if (recent.length > 0 && Array.isArray(recent[0])) {
    const flat = new Array<number | string>(RECENT * recent.length);
    for (let i = 0; i < recent.length; i++) for (let j = 0; j < RECENT; j++) flat[RECENT * i + j] = (recent[i] as unknown as Unverified)[j]!;
    state.recent = flat;
  }
  const old = state as State & SeparateRates;
  if (old.ewReviews !== undefined) {
    const slow = old.slow;
    state.rates = [old.ewReviews, old.ewUnverified ?? 0, slow?.[0] ?? -1, slow?.[1] ?? 0, slow?.[2] ?? 0];
    // Undefined fields stay out of the next snapshot.
    old.ewReviews = old.ewUnverified = old.slow = undefined;
  }
  const c = old.counts;
  if (c === undefined) return;
  const hours = Array.isArray(c) ? (c as HourCounts) : fromRing(c as { hours: number[]; counts: number[] }, LANES);
  old.counts = undefined;
  if (hours.length === 0) return;
  // Hours are only counted at a review, which starts the rates.
  const r = state.rates ?? [0, 0, -1, 0, 0];
  const merged = new Array<number>(RATES + hours.length);
  for (let i = 0; i < RATES; i++) merged[i] = r[i]!;
  for (let i = 0; i < hours.length; i++) merged[RATES + i] = hours[i]!;
  state.rates = merged;
}

const LANES = 2;
const SLACK_SLOTS = 6;
/** Slow evidence reaches back this many half-lives (an older review weighs under a quarter). */
const SLOW_EVIDENCE_HALF_LIVES = 2;
/** Beyond this many idle hours the slow counts are treated as fully decayed. */
const MAX_SLOW_STEPS = 24 * 366;

/**
 * The rates with the slow counts decayed up to `t`'s hour in whole hours by repeated
 * multiplication (exact, as sketch/decay.ts does): a one-speed pair, its baseline being the EWMAs.
 * The rates and the slow lane are started here when absent.
 */
function slowCounts(state: State, t: number, config: Config): number[] {
  const hour = Math.floor(t / HOUR_MS);
  const r = (state.rates ??= [0, 0, -1, 0, 0]);
  if (r[SLOW_HOUR]! < 0) r[SLOW_HOUR] = hour;
  const steps = hour - r[SLOW_HOUR]!;
  if (steps <= 0) return r;
  r[SLOW_HOUR] = hour;
  if (steps > MAX_SLOW_STEPS) {
    r[SLOW_REVIEWS] = r[SLOW_UNVERIFIED] = 0;
    return r;
  }
  const keep = 2 ** (-1 / config.slowHalfLifeHours);
  for (let i = 0; i < steps; i++) {
    r[SLOW_REVIEWS]! *= keep;
    r[SLOW_UNVERIFIED]! *= keep;
  }
  return r;
}

/**
 * The slow lane at evaluation time `at` (after the window's hours are folded into the EWMAs):
 * decays its counts up to the closing hour and returns its finding, or null. The baseline is the
 * EWMAs' share, their sums (EWMA / (1 − keep), in reviews) blended with priorWeight reviews of
 * the prior: a seller whose reviews are mostly unverified from the start teaches it within a day,
 * while a small shop's few dripped reviews hardly move it.
 */
function slowLane(state: State, at: number, keep: number, config: Config): SignalFinding | null {
  if (state.rates === undefined || state.rates[SLOW_HOUR]! < 0) return null;
  const r = slowCounts(state, at - HOUR_MS, config);
  const reviews = r[SLOW_REVIEWS]!;
  const unverified = r[SLOW_UNVERIFIED]!;
  const baseline =
    (r[EW_UNVERIFIED]! / (1 - keep) + config.populationShare * config.priorWeight) / (r[EW_REVIEWS]! / (1 - keep) + config.priorWeight);
  const threshold = Math.min(0.9, Math.max(config.minShare, config.shareFactor * baseline));
  const share = reviews > 0 ? unverified / reviews : 0;
  if (unverified < config.slowMinCount || share < threshold) return null;
  const from = at - SLOW_EVIDENCE_HALF_LIVES * config.slowHalfLifeHours * HOUR_MS;
  const reviewIds: string[] = [];
  const buyerIds: string[] = [];
  evidence(state.recent, from, at, reviewIds, buyerIds);
  const days = Math.round(config.slowHalfLifeHours / 24);
  return {
    name: 'unverified_reviews',
    family: 'unverified',
    value: round2(share),
    threshold: round2(threshold),
    // 0.5 at the threshold, 1 at slowFullFactor × it: a drip that is most of the seller's reviews alerts alone.
    strength: round2(rampStrength(share, threshold, Math.min(1, config.slowFullFactor * threshold))),
    horizonMs: Math.round(config.slowHalfLifeHours * HOUR_MS),
    baseline: round2(baseline),
    explanation:
      `about ${Math.round(unverified)} unverified reviews in the last few days (${days} d half-life), ${Math.round(share * 100)}% of about ${Math.round(reviews)} reviews, ` +
      `against a threshold of ${Math.round(threshold * 100)}% (baseline ${round2(baseline * 100)}%)`,
    evidence: { reviewIds, buyerIds },
  };
}

/** Adds the review and buyer ids of the recent unverified reviews timed in [from, to) to the evidence. */
function evidence(recent: readonly (number | string)[], from: number, to: number, reviewIds: string[], buyerIds: string[]): void {
  for (let i = 0; i < recent.length; i += RECENT) {
    const t = recent[i] as number;
    if (t < from || t >= to) continue;
    reviewIds.push(recent[i + 1] as string);
    const buyerId = recent[i + 2] as string;
    if (!buyerIds.includes(buyerId)) buyerIds.push(buyerId);
  }
}

/**
 * `recent` plus one review at the end, at most `cap` reviews (the oldest leave): a new exact-size
 * array while it grows, `recent` itself shifted by one review once full (a copy per review was garbage).
 */
function appendReview(recent: readonly (number | string)[], t: number, reviewId: string, buyerId: string, cap: number): (number | string)[] {
  if (recent.length === RECENT * cap) {
    const r = recent as (number | string)[];
    for (let i = RECENT; i < r.length; i++) r[i - RECENT] = r[i]!;
    r[r.length - 3] = t;
    r[r.length - 2] = reviewId;
    r[r.length - 1] = buyerId;
    return r;
  }
  const start = recent.length >= RECENT * cap ? recent.length - RECENT * (cap - 1) : 0;
  const n = recent.length - start;
  const out = new Array<number | string>(n + RECENT);
  for (let i = 0; i < n; i++) out[i] = recent[start + i]!;
  out[n] = t;
  out[n + 1] = reviewId;
  out[n + 2] = buyerId;
  return out;
}

/** The stronger of the window's and the slow lane's findings (the window's on a tie). */
function stronger(fast: SignalFinding | null, slow: SignalFinding | null): SignalFinding | null {
  if (slow === null) return fast;
  return fast !== null && fast.strength >= slow.strength ? fast : slow;
}

function slotsOf(config: Config): number {
  return config.windowMs / HOUR_MS + SLACK_SLOTS;
}

/**
 * Records a firing evaluation at `at` of own strength `own` and returns the strength of the
 * strongest earlier burst within recurrenceMs (0 if none). A firing whose window starts after the
 * previous firing time counts no review of it: a new burst, and the finished one may become the
 * earlier burst.
 */
function recordBurst(state: State, at: number, own: number, config: Config): number {
  if (config.recurrenceMs === 0) return 0;
  const last = state.burstLast ?? -1;
  let earlierAt = state.earlierAt ?? -1;
  if (last >= 0 && at - config.windowMs >= last) {
    const finished = state.burstStrength ?? 0;
    if (earlierAt < at - config.recurrenceMs || finished >= (state.earlierStrength ?? 0)) {
      state.earlierAt = earlierAt = last;
      state.earlierStrength = finished;
    }
    state.burstStrength = 0;
  }
  state.burstLast = at;
  state.burstStrength = Math.max(state.burstStrength ?? 0, own);
  return earlierAt >= 0 && earlierAt >= at - config.recurrenceMs ? (state.earlierStrength ?? 0) : 0;
}

export const signal: SellerSignal<State, Config> = {
  name: 'unverified_reviews',
  family: 'unverified',

  create(config) {
    return {
      folded: 0,
      nextHour: -1,
      recent: EMPTY,
      // A slot from the start (JSON drops it while undefined): added at the first review, it took
      // the object's properties out of line, a 40-byte property array on most sellers.
      rates: undefined,
    };
  },

  revive(saved) {
    const state = saved as State;
    upgrade(state);
    return state;
  },

  // An order leaves a quiet period on (see quietUntil); a review ends it.
  observe(state, event: MarketEvent, config) {
    if (event.kind !== 'review') return true;
    const slots = slotsOf(config);
    const r = slowCounts(state, event.eventTime, config);
    r[SLOW_REVIEWS]!++;
    state.rates = addAt(r, slots, LANES, event.eventTime, 0, 1, RATES) as number[];
    if (event.orderId === null) {
      state.rates[SLOW_UNVERIFIED]!++;
      state.rates = addAt(state.rates, slots, LANES, event.eventTime, 1, 1, RATES) as number[];
      state.recent = appendReview(state.recent, event.eventTime, event.reviewId, event.buyerId, config.maxEvidence);
    }
  },

  evaluate(state, ctx: SellerContext, config): SignalFinding | null {
    const windowStart = ctx.at - config.windowMs;
    const startHour = Math.floor(windowStart / HOUR_MS);
    const keep = Math.pow(0.5, HOUR_MS / config.baselineHalfLifeMs);
    // Absent rates are EWMAs of 0 and no hour held: folding keeps them 0.
    const r = state.rates;
    if (state.nextHour < 0) state.nextHour = startHour;
    // Fold the hours that left the window into the baseline; hours the ring no longer holds
    // (a long idle gap) had no events, so they only decay it.
    const slots = slotsOf(config);
    if (startHour - state.nextHour > slots) {
      const skip = startHour - state.nextHour - slots;
      const f = Math.pow(keep, skip);
      if (r !== undefined) {
        r[EW_REVIEWS]! *= f;
        r[EW_UNVERIFIED]! *= f;
      }
      state.folded += skip;
      state.nextHour += skip;
    }
    for (; state.nextHour < startHour; state.nextHour++) {
      if (r !== undefined) {
        const hourStart = state.nextHour * HOUR_MS;
        r[EW_REVIEWS] = keep * r[EW_REVIEWS]! + (1 - keep) * countInHour(r, LANES, hourStart, 0, RATES);
        r[EW_UNVERIFIED] = keep * r[EW_UNVERIFIED]! + (1 - keep) * countInHour(r, LANES, hourStart, 1, RATES);
      }
      state.folded++;
    }
    state.folded = Math.min(state.folded, 100_000);
    // Hours before nextHour are folded and before the window: never read again, so they go now
    // rather than when a later hour takes their slot (a seller reviewed now and then held 12).
    if (r !== undefined && r.length > RATES && r[RATES]! < state.nextHour) state.rates = dropHoursBefore(r, LANES, state.nextHour, RATES) as number[];
    const slow = slowLane(state, ctx.at, keep, config);

    const rates = state.rates ?? NO_HOURS;
    const head = state.rates === undefined ? 0 : RATES;
    const unverified = sumBetween(rates, LANES, windowStart, ctx.at, 1, head);
    if (unverified < config.minCount) return slow;
    const reviews = sumBetween(rates, LANES, windowStart, ctx.at, 0, head);
    // Bias-corrected EWMA (as in Adam): a young baseline is not pulled towards zero.
    const correction = state.folded > 0 ? 1 - Math.pow(keep, state.folded) : 0;
    const ewReviews = rates[EW_REVIEWS] ?? 0;
    const ewUnverified = rates[EW_UNVERIFIED] ?? 0;
    const ratePerHour = correction > 0 ? ewUnverified / correction : 0;
    const windowHours = config.windowMs / HOUR_MS;
    const expected = Math.max(config.priorPerHour, ratePerHour) * windowHours;
    const countThreshold = Math.max(config.minCount, Math.ceil(config.rateFactor * expected));
    const baselineShare = ewReviews > 0 ? ewUnverified / ewReviews : 0;
    const shareThreshold = Math.min(0.9, Math.max(config.minShare, config.shareFactor * baselineShare));
    const share = reviews > 0 ? unverified / reviews : 0;
    if (unverified < countThreshold || share < shareThreshold) return slow;

    const reviewIds: string[] = [];
    const buyerIds: string[] = [];
    evidence(state.recent, windowStart, ctx.at, reviewIds, buyerIds);
    const own = rampStrength(unverified, countThreshold, config.fullFactor * countThreshold);
    const earlier = recordBurst(state, ctx.at, own, config);
    return stronger({
      name: 'unverified_reviews',
      family: 'unverified',
      value: unverified,
      threshold: countThreshold,
      // Two bursts of the same campaign are independent evidence: 1 − (1 − now)(1 − earlier).
      strength: 1 - (1 - own) * (1 - earlier),
      horizonMs: config.windowMs,
      baseline: expected,
      explanation:
        `${unverified} unverified reviews in ${windowHours} h (${Math.round(share * 100)}% of ${reviews} reviews) ` +
        `against ${expected.toFixed(2)} expected and a ${Math.round(baselineShare * 100)}% baseline share` +
        (earlier > 0 ? `; an earlier burst within ${config.recurrenceMs / (24 * HOUR_MS)} d reached strength ${earlier.toFixed(2)}` : ''),
      evidence: { reviewIds, buyerIds },
    }, slow);
  },

  // A seller with no review yet (baselines zero, no hour held) stays so until a review, which ends
  // the quiet period: until then every window is empty, and the hours skipped evaluations would
  // fold are zeros into zero baselines, the same however many are folded at once. Any other
  // seller is evaluated every time: a short quiet period here would end every other signal's too.
  quietUntil(state, at) {
    const r = state.rates;
    return r === undefined || (r.length === RATES && r[EW_REVIEWS] === 0 && r[EW_UNVERIFIED] === 0) ? Infinity : at;
  },

  // Unverified reviews stay as evidence as long as the slow lane reads them.
  expire(state, now, config) {
    const from = now - Math.max(config.windowMs, SLOW_EVIDENCE_HALF_LIVES * config.slowHalfLifeHours * HOUR_MS);
    const recent = state.recent;
    let drop = 0;
    while (drop < recent.length && (recent[drop] as number) < from) drop += RECENT;
    if (drop === 0) return;
    if (drop === recent.length) {
      state.recent = EMPTY;
      return;
    }
    const out = new Array<number | string>(recent.length - drop);
    for (let i = drop; i < recent.length; i++) out[i - drop] = recent[i]!;
    state.recent = out;
  },
};
