/**
 * Signal 7, `reversal_after_review` (family reversal): an order refunded or cancelled after its
 * buyer left a positive review. The review lifts the seller's rating, then the money goes back
 * to the (fake) buyer, so brushing costs the seller only fees.
 *
 * Per seller it remembers recent positive reviews of orders, oldest first, capped and dropped
 * after `maxGapMs`, each packed into one double (8 bytes instead of a string-keyed map entry of
 * ~100): a 26-bit hash of the orderId, the rating (3 bits) and the review minute modulo 2^24
 * (gaps are taken modulo 2^24 minutes, ~31 years, far beyond any `maxGapMs`). A hash collision
 * could pair a reversal with another order's review; at 128 entries per seller that chance is
 * about 2e-6 per reversal.
 */
import { z } from 'zod';
import type { MarketEvent, SellerContext, SellerSignal, SignalFinding } from '../types.js';
import { appendCapped, dropFirst, EMPTY } from '../sketch/lists.js';
import { HOUR_MS, rampStrength } from './hour-counts.js';
import { pushCapped } from './small-list.js';
import { poissonTail } from './tail.js';

const DAY_MS = 24 * HOUR_MS;

export const configSchema = z.object({
  minRating: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(4)
    .describe('A review with at least this rating counts as positive. Default 4.'),
  maxGapMs: z
    .number()
    .int()
    .positive()
    .default(14 * DAY_MS)
    .describe('A reversal more than this after the review is not paired with it, ms. Default 14 days.'),
  maxReviews: z
    .number()
    .int()
    .min(1)
    .default(128)
    .describe('Positive reviews remembered per seller; the oldest is dropped first. Default 128.'),
  horizonMs: z
    .number()
    .int()
    .positive()
    .default(7 * DAY_MS)
    .describe('Window over which reversals after positive reviews are counted, ms. Default 7 days.'),
  minCount: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe(
      "Reversals after a positive review within the horizon needed to fire. Default 3: at 2 a shop of under an order a day honestly reaches 0.75–0.76 by the surprise lane (independent world, 3 honest sellers), as close to the 0.8 a lone family needs as a campaign's 2 (0.82).",
    ),
  fullCount: z
    .number()
    .int()
    .min(1)
    .default(6)
    .describe(
      'Count at which strength reaches 1 (0.5 at minCount). Default 6 (10 until the third detection pass): a brusher refunds every fake order, so a small shop reaches it within days, and minShare keeps a big shop\'s honest returns out.',
    ),
  minShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.02)
    .describe(
      "And the count must reach this share of the seller's orders over the horizon, estimated as the larger of the last 24 h's orders and the seller's daily-orders EWMA, × the horizon in days. Default 0.02: a buyer who rates 4★+ and then returns the item is an honest event at a fraction of a percent of orders, which a shop of hundreds of orders a day reaches in a week.",
    ),
  fullSurprise: z
    .number()
    .gt(0)
    .lt(0.1)
    .default(0.001)
    .describe(
      "Chance, were the seller's reversals after a positive review honest at minShare of its orders (Poisson), of seeing the count or more, at which strength reaches 1 (0.5 at 0.1, log-linear between). Strength is the larger of this and the count ramp. Default 0.001: a small shop's brusher refunds every fake order, so 3–4 such reversals in a week of 10–30 orders is a one-in-a-thousand week even at 2 % (honest refunds are about that share of all orders and mostly follow a low rating), while a big shop reaches it only with the count ramp.",
    ),
  maxEvidence: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe('Most recent reversals kept (counted and shown as evidence). Default 32.'),
});
export type Config = z.infer<typeof configSchema>;

/** One reversal of a positively reviewed order: when, the order, the buyer, the rating, hours from review. */
type Reversal = [t: number, orderId: string, buyerId: string, rating: number, hoursAfterReview: number];

export interface State {
  /** Positive reviews, oldest first, packed: (orderHash26 · 8 + rating) · 2^24 + review minute mod 2^24. */
  reviews: number[];
  /** Absent until the seller's first reversal after a positive review: a field on nearly every seller otherwise, always empty. */
  reversals?: readonly Reversal[];
}

const MINUTE_MS = 60_000;
const MINUTE_MOD = 2 ** 24;
const HASH_UNIT = 2 ** 27;

/** `orderHash` is hash32 of the orderId (the engine's `keys.order`). */
function pack(orderHash: number, rating: number, t: number): number {
  return ((orderHash >>> 6) * 8 + rating) * MINUTE_MOD + (Math.floor(t / MINUTE_MS) % MINUTE_MOD);
}

/** Whole minutes from the packed review to time `t`. */
function minutesSince(packed: number, t: number): number {
  return (((Math.floor(t / MINUTE_MS) - (packed % MINUTE_MOD)) % MINUTE_MOD) + MINUTE_MOD) % MINUTE_MOD;
}

/** Strength from a Poisson tail: 0.5 at 0.1, 1 at `full`, log-linear between. */
function surpriseStrength(tail: number, full: number): number {
  const from = 1;
  const to = -Math.log10(full);
  return 0.5 + 0.5 * Math.min(1, Math.max(0, (-Math.log10(tail) - from) / (to - from)));
}

export const signal: SellerSignal<State, Config> = {
  name: 'reversal_after_review',
  family: 'reversal',
  observes: { orders: ['CANCELLED', 'REFUNDED'], reviews: true },

  // Most sellers have no reversal and few positive reviews: the reviews start as the shared empty list.
  create() {
    return { reviews: EMPTY as never[] };
  },

  observe(state, event: MarketEvent, config, keys) {
    // Only a new reversal can end a quiet period (a review remembered during one outlives it, see quietUntil).
    if (event.kind === 'review') {
      if (event.orderId === null || event.rating < config.minRating) return true;
      state.reviews = pushCapped(state.reviews, pack(keys.order, event.rating, event.eventTime), config.maxReviews);
      return true;
    }
    if (event.status !== 'REFUNDED' && event.status !== 'CANCELLED') return true;
    const h = keys.order >>> 6;
    const reviews = state.reviews;
    let i = 0;
    while (i < reviews.length && Math.floor(reviews[i]! / HASH_UNIT) !== h) i++;
    if (i === reviews.length) return true;
    const packed = reviews[i]!;
    // Each reviewed order counts once, even when both a cancellation and a refund follow it or it
    // was reviewed more than once (edits): every entry of the order goes.
    let kept = i;
    for (let j = i + 1; j < reviews.length; j++) if (Math.floor(reviews[j]! / HASH_UNIT) !== h) reviews[kept++] = reviews[j]!;
    reviews.length = kept;
    const gapMinutes = minutesSince(packed, event.eventTime);
    if (gapMinutes * MINUTE_MS > config.maxGapMs) return true;
    const rating = Math.floor(packed / MINUTE_MOD) % 8;
    state.reversals = appendCapped(state.reversals ?? EMPTY, [event.eventTime, event.orderId, event.buyerId, rating, Math.round((gapMinutes * MINUTE_MS) / HOUR_MS)], config.maxEvidence);
    return false;
  },

  evaluate(state, ctx: SellerContext, config): SignalFinding | null {
    const from = ctx.at - config.horizonMs;
    // Counted first: the usual quiet evaluation allocates nothing.
    const reversals = state.reversals ?? EMPTY;
    let inHorizon = 0;
    for (let i = 0; i < reversals.length; i++) if (reversals[i]![0] >= from && reversals[i]![0] < ctx.at) inHorizon++;
    // A reversal follows its order by days, so the week's reversals stem from the orders of the
    // week before: a shop whose sales are falling (a viral product past its peak) is judged
    // against its slow daily baseline, not only against today's orders.
    const daily = Math.max(ctx.orders24h, ctx.dailyOrdersEwma);
    if (inHorizon < config.minCount || inHorizon < config.minShare * daily * (config.horizonMs / DAY_MS)) return null;
    const orderIds: string[] = [];
    const buyerIds: string[] = [];
    const examples: string[] = [];
    for (const [t, orderId, buyerId, rating, hours] of reversals) {
      if (t < from || t >= ctx.at) continue;
      orderIds.push(orderId);
      if (!buyerIds.includes(buyerId)) buyerIds.push(buyerId);
      if (examples.length < 3) examples.push(`${orderId} ${rating}★ then reversed ${hours} h later`);
    }
    const count = orderIds.length;
    // Each reversal is an order of the seller's, so it had at least `count` orders to reverse.
    const expected = config.minShare * Math.max(count, daily * (config.horizonMs / DAY_MS));
    const tail = poissonTail(count, expected);
    return {
      name: 'reversal_after_review',
      family: 'reversal',
      value: count,
      threshold: config.minCount,
      strength: Math.max(rampStrength(count, config.minCount, config.fullCount), surpriseStrength(tail, config.fullSurprise)),
      horizonMs: config.horizonMs,
      baseline: expected,
      explanation:
        `${count} orders refunded or cancelled within ${config.horizonMs / DAY_MS} d after a ` +
        `${config.minRating}★+ review of the same order, ${expected.toFixed(2)} expected at ${config.minShare} of its orders ` +
        `(chance ${tail.toPrecision(2)}) (${examples.join('; ')})`,
      evidence: { orderIds, buyerIds },
    };
  },

  // Without a new reversal the count in the sliding window can only fall, so fewer than minCount
  // from at − horizon on never fire, whatever ctx.orders24h does; quiet until expire would drop
  // something: the oldest reversal leaving the horizon or the oldest review passing maxGapMs. A
  // review is dropped once its age in whole minutes exceeds maxGapMs, so one remembered during the
  // quiet period (from `at` on, age 0 at `at` at most) is dropped after it.
  quietUntil(state, at, config) {
    const from = at - config.horizonMs;
    const reversals = state.reversals ?? EMPTY;
    let count = 0;
    for (let i = 0; i < reversals.length; i++) if (reversals[i]![0] >= from) count++;
    if (count >= config.minCount) return at;
    const oldest = state.reviews.length > 0 ? minutesSince(state.reviews[0]!, at) : 0;
    const until = (Math.floor(at / MINUTE_MS) + Math.floor(config.maxGapMs / MINUTE_MS) + 1 - oldest) * MINUTE_MS;
    return reversals.length > 0 ? Math.min(until, reversals[0]![0] + config.horizonMs) : until;
  },

  expire(state, now, config) {
    let drop = 0;
    while (drop < state.reviews.length && minutesSince(state.reviews[drop]!, now) * MINUTE_MS > config.maxGapMs) drop++;
    if (drop > 0) state.reviews.splice(0, drop);
    const from = now - config.horizonMs;
    const reversals = state.reversals;
    if (reversals === undefined) return;
    drop = 0;
    while (drop < reversals.length && reversals[drop]![0] < from) drop++;
    if (drop > 0) state.reversals = dropFirst(reversals, drop);
  },
};
