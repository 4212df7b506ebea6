/**
 * Signal 2, `fresh_accounts` (family account_age): the share of a seller's recent orders (and
 * reviews) that come from buyer accounts younger than `freshDays` when they ordered, judged
 * against the seller's own baseline share blended with a configured population prior.
 *
 * The prior is configuration, not a statistic across sellers, so a seller's result never depends
 * on which other sellers share the engine. The blend weighs the prior as `priorWeight` orders: a
 * brand-new seller is judged against the prior alone, an established one mostly against itself.
 * Recent and baseline counts are two-speed decayed counters (the baseline is fed by what decays
 * out of the recent window, so a burst does not raise its own bar).
 *
 * Reviews carry no account age, so a review counts only when its buyer's age is known from a
 * recent PLACED or DELIVERED event of this seller; that is remembered per buyer in a small
 * fingerprint table.
 */
import { z } from 'zod';
import type { SellerSignal, SignalFinding } from '../types.js';
import { assocCreate, assocExpire, assocFind, assocPayload, assocPut } from '../sketch/assoc.js';
import { addRecent, base, decayedAdvance, decayedCreate, decayedHour, decayFactors, HOUR_MS, recent, type DecayedCounts } from '../sketch/decay.js';
import { appendCapped, EMPTY } from '../sketch/lists.js';
import { hash32 } from '../sketch/hash.js';
import { curveFields, round2, strengthOf } from './curve.js';

const DAY_MS = 86_400_000;
const ORDERS = 0;
const FRESH_ORDERS = 1;
const REVIEWS = 2;
const FRESH_REVIEWS = 3;
/** Buyer table payload: event hour × 2 + fresh bit. */
const PAYLOAD_BITS = 23;

export const configSchema = z.object({
  freshDays: z.number().gt(0).default(7).describe('An account younger than this many days when it orders is fresh. Default 7.'),
  populationShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe('Population prior: the share of orders from fresh accounts on an ordinary seller. Default 0.05.'),
  priorWeight: z.number().min(0).default(20).describe("The prior weighs as this many orders in the seller's baseline. Default 20."),
  minShare: z.number().gt(0).max(1).default(0.3).describe('A fresh share below this never fires, whatever the baseline. Default 0.3.'),
  baselineFactor: z.number().min(1).default(3).describe('…and it must reach baselineFactor × the baseline share. Default 3.'),
  minOrders: z.number().gt(0).default(6).describe('Recent (decayed) orders needed before the order share counts. Default 6.'),
  minFresh: z.number().gt(0).default(3).describe('Recent (decayed) fresh orders or reviews needed to fire. Default 3.'),
  minReviews: z.number().gt(0).default(6).describe('Recent (decayed) reviews of known-age buyers needed before the review share counts. Default 6.'),
  reviewWeight: z.number().min(0).max(1).default(0.8).describe('Strength multiplier of the review share. Default 0.8.'),
  recentHalfLifeHours: z.number().gt(0).default(12).describe('Half-life of the recent counts, hours (about a day of memory). Default 12.'),
  baselineHalfLifeHours: z.number().gt(0).default(336).describe('Half-life of the baseline counts, hours. Default 336 (14 days).'),
  buyerSlots: z
    .number()
    .int()
    .min(2)
    .max(4096)
    .refine((n) => (n & (n - 1)) === 0, 'buyerSlots must be a power of two, e.g. 32')
    .default(32)
    .describe("Fingerprint slots remembering recent buyers' account age (power of two; the oldest of a pair is evicted). Default 32."),
  buyerMemoryDays: z.number().int().min(1).default(7).describe('A remembered buyer age is used for this many days. Default 7.'),
  evidence: z.number().int().min(1).max(16).default(4).describe('Most recent fresh buyers, and fresh orders and reviews, kept as evidence. Default 4.'),
  ...curveFields,
});
export type Config = z.infer<typeof configSchema>;

export interface State {
  counts: DecayedCounts;
  /** buyer fingerprint → (hour seen × 2 + fresh bit). */
  buyers: number[];
  freshBuyers: readonly string[];
  freshOrders: readonly string[];
  freshReviews: readonly string[];
}

/** Config-derived constants, computed once per config object rather than per event. */
const derived = new WeakMap<Config, ReturnType<typeof decayFactors>>();
function factors(c: Config): ReturnType<typeof decayFactors> {
  let f = derived.get(c);
  if (f === undefined) {
    f = decayFactors(c.recentHalfLifeHours, c.baselineHalfLifeHours);
    derived.set(c, f);
  }
  return f;
}

export const signal: SellerSignal<State, Config> = {
  name: 'fresh_accounts',
  family: 'account_age',
  create: (c) => ({ counts: decayedCreate(4), buyers: assocCreate(c.buyerSlots), freshBuyers: EMPTY, freshOrders: EMPTY, freshReviews: EMPTY }),
  observe(s, e, c) {
    const hour = Math.floor(e.eventTime / HOUR_MS);
    // Decay before counting, once per new hour, so an event weighs by its own hour's age.
    if (hour > decayedHour(s.counts)) decayedAdvance(s.counts, e.eventTime, factors(c));
    if (e.kind === 'order') {
      const fresh = e.eventTime - e.buyerAccountCreatedAt < c.freshDays * DAY_MS;
      // Every order event carries the account age: DELIVERED refreshes the buyer just before
      // the review usually comes. Only PLACED counts as an order.
      if (e.status !== 'PLACED' && e.status !== 'DELIVERED') return;
      assocPut(s.buyers, hash32(e.buyerId), hour * 2 + (fresh ? 1 : 0), PAYLOAD_BITS);
      if (e.status !== 'PLACED') return;
      addRecent(s.counts, ORDERS);
      if (!fresh) return;
      addRecent(s.counts, FRESH_ORDERS);
      if (s.freshBuyers.indexOf(e.buyerId) < 0) s.freshBuyers = appendCapped(s.freshBuyers, e.buyerId, c.evidence);
      s.freshOrders = appendCapped(s.freshOrders, e.orderId, c.evidence);
      return;
    }
    const at = assocFind(s.buyers, hash32(e.buyerId), PAYLOAD_BITS);
    if (at < 0) return;
    const payload = assocPayload(s.buyers, at, PAYLOAD_BITS);
    // Ignore memories past their horizon even if not yet expired: expiry timing must not matter.
    if (Math.floor(payload / 2) <= hour - c.buyerMemoryDays * 24) return;
    addRecent(s.counts, REVIEWS);
    if (payload % 2 === 1) {
      addRecent(s.counts, FRESH_REVIEWS);
      s.freshReviews = appendCapped(s.freshReviews, e.reviewId, c.evidence);
    }
  },
  evaluate(s, ctx, c) {
    // Decay up to the closing hour (a no-op if its events already did): they count in full.
    decayedAdvance(s.counts, ctx.at - HOUR_MS, factors(c));
    return judge(s, c);
  },
  expire(s, now, c) {
    assocExpire(s.buyers, (Math.floor(now / HOUR_MS) - c.buyerMemoryDays * 24 + 1) * 2, PAYLOAD_BITS);
  },
};

function judge(s: State, c: Config): SignalFinding | null {
  const d = s.counts;
  const baseOrders = (base(d, FRESH_ORDERS) + c.populationShare * c.priorWeight) / (base(d, ORDERS) + c.priorWeight);
  const baseReviews = (base(d, FRESH_REVIEWS) + c.populationShare * c.priorWeight) / (base(d, REVIEWS) + c.priorWeight);
  const orders = recent(d, ORDERS);
  const reviews = recent(d, REVIEWS);
  const freshOrders = recent(d, FRESH_ORDERS);
  const freshReviews = recent(d, FRESH_REVIEWS);
  const orderShare = orders >= c.minOrders && freshOrders >= c.minFresh ? freshOrders / orders : 0;
  const reviewShare = reviews >= c.minReviews && freshReviews >= c.minFresh ? freshReviews / reviews : 0;
  const orderThr = Math.max(c.minShare, c.baselineFactor * baseOrders);
  const reviewThr = Math.max(c.minShare, c.baselineFactor * baseReviews);
  const orderStrength = strengthOf(orderShare, orderThr, c);
  const reviewStrength = c.reviewWeight * strengthOf(reviewShare, reviewThr, c);
  const strength = Math.max(orderStrength, reviewStrength);
  if (strength < c.minStrength || strength === 0) return null;

  const byOrders = orderStrength >= reviewStrength;
  const value = byOrders ? orderShare : reviewShare;
  const threshold = byOrders ? orderThr : reviewThr;
  const baseline = byOrders ? baseOrders : baseReviews;
  const what = byOrders ? 'orders' : 'reviews';
  const total = byOrders ? orders : reviews;
  return {
    name: 'fresh_accounts',
    family: 'account_age',
    value: round2(value),
    threshold: round2(threshold),
    strength: round2(strength),
    horizonMs: Math.round(c.recentHalfLifeHours * HOUR_MS),
    baseline: round2(baseline),
    explanation: `${Math.round(value * 100)}% of about ${Math.round(total)} recent ${what} come from accounts younger than ${c.freshDays} days, against a threshold of ${Math.round(threshold * 100)}% (baseline ${round2(baseline * 100)}%).`,
    evidence: byOrders
      ? { buyerIds: s.freshBuyers, orderIds: s.freshOrders }
      : { buyerIds: s.freshBuyers, reviewIds: s.freshReviews },
  };
}
