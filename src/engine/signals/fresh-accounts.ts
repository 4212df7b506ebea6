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
 * A young lane beside them: the share of recent orders from accounts younger than `youngDays`
 * (months, not days). Fake and rented-for-the-job accounts are younger than a marketplace's
 * buyers, but so are plenty of honest ones, so this lane is capped below what a family needs to
 * alert alone: it only corroborates another family seen at the same time (an edge burst of young
 * accounts is a campaign, one of ordinary accounts a flash sale).
 *
 * Reviews carry no account age, so a review counts as fresh when its buyer was fresh at a recent
 * PLACED or DELIVERED event of this seller: a short list of fresh buyers' fingerprints (honest
 * sellers have few) remembers them; every other reviewer counts as aged.
 */
import { z } from 'zod';
import type { SellerSignal, SignalFinding } from '../types.js';
import { addRecent, base, block, blockEnd, decayedAdvance, decayedCreate, decayedHour, decayFactors, HOUR_MS, QUIET_MAX_MS, recent, type DecayedCounts } from '../sketch/decay.js';
import { appendCappedOwned, EMPTY } from '../sketch/lists.js';
import { curveFields, round2, strengthOf } from './curve.js';
import { lowOf } from './packed.js';
import { binomialTail } from './tail.js';

const DAY_MS = 86_400_000;
const ORDERS = 0;
const FRESH_ORDERS = 1;
const REVIEWS = 2;
const FRESH_REVIEWS = 3;
const YOUNG_ORDERS = 4;
const LANES = 5;
/**
 * One array, `counts`: the FAST block (these five lanes, recent half-life), the SLOW one (ORDERS
 * and FRESH_ORDERS, slow half-life), then the fresh buyers from SIZE on (see FP_SCALE).
 */
const FAST = block(LANES);
const SLOW = block(2, blockEnd(FAST));
const SIZE = blockEnd(SLOW);
/** Fresh-buyer entries: hour × 2^32 + 32-bit buyer fingerprint (exact in a double until 2209). */
const FP_SCALE = 2 ** 32;

export const configSchema = z.object({
  freshDays: z.number().gt(0).default(7).describe('An account younger than this many days when it orders is fresh. Default 7.'),
  signupHours: z
    .number()
    .min(0)
    .default(6)
    .describe(
      'An account younger than this many hours when it orders signed up to buy (a newcomer registers at checkout: a viral product, a friend\'s new shop) and is not counted fresh; a farm registers its accounts in batches and warms them up before use, so they are days old when they order. 0 turns this off. Default 6.',
    ),
  populationShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe('Population prior: the share of orders from fresh accounts on an ordinary seller. Default 0.05.'),
  priorWeight: z.number().min(0).default(20).describe("The prior weighs as this many orders in the seller's baseline. Default 20."),
  minShare: z.number().gt(0).max(1).default(0.3).describe('A fresh share below this never fires, whatever the baseline. Default 0.3.'),
  baselineFactor: z.number().min(1).default(3).describe('…and it must reach baselineFactor × the baseline share. Default 3.'),
  minOrders: z
    .number()
    .gt(0)
    .default(3)
    .describe('Recent (decayed) orders needed before the order share counts: small sellers (0.3–15 orders a day) must be judged too. Default 3.'),
  minFresh: z
    .number()
    .gt(0)
    .default(2)
    .describe('Recent (decayed) fresh orders or reviews needed to fire: two days-old accounts within a day, against a 5 % population share, are already rare. Default 2.'),
  maxTail: z
    .number()
    .gt(0)
    .max(1)
    .default(0.001)
    .describe(
      'A share fires only if its fresh count is this improbable under the blended baseline (binomial upper tail over the recent count): two fresh accounts among four orders happen by chance to a small honest shop now and then (1.4 % at 5 %), three or a campaign that goes on do not. Default 0.001.',
    ),
  minReviews: z.number().gt(0).default(6).describe('Recent (decayed) reviews of known-age buyers needed before the review share counts. Default 6.'),
  reviewWeight: z.number().min(0).max(1).default(0.8).describe('Strength multiplier of the review share. Default 0.8.'),
  recentHalfLifeHours: z.number().gt(0).default(12).describe('Half-life of the recent counts, hours (about a day of memory). Default 12.'),
  slowHalfLifeHours: z
    .number()
    .gt(0)
    .default(72)
    .describe('Half-life of the slow order counts, hours (about four days of memory): a slow drip of about one fresh account a day never reaches minFresh within a day. Default 72.'),
  slowMinFresh: z.number().gt(0).default(4).describe('Slow (decayed) fresh orders needed for the slow share to fire. Default 4.'),
  baselineHalfLifeHours: z.number().gt(0).default(336).describe('Half-life of the baseline counts, hours. Default 336 (14 days).'),
  freshKept: z
    .number()
    .int()
    .min(1)
    .max(256)
    .default(24)
    .describe('Fresh buyers remembered (by fingerprint, latest first) to recognise their reviews; honest sellers have few. Default 24.'),
  buyerMemoryDays: z.number().int().min(1).default(7).describe('A remembered fresh buyer counts for this many days after its last order event. Default 7.'),
  youngDays: z
    .number()
    .gt(0)
    .default(180)
    .describe('An account younger than this many days when it orders is young (the young lane). Default 180.'),
  youngPopulationShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.25)
    .describe('Population prior of the young lane: the share of orders from young accounts on an ordinary seller. Default 0.25.'),
  minYoung: z
    .number()
    .gt(0)
    .default(5)
    .describe('Recent (decayed) young orders needed before the young share counts: a handful of young customers in a day is ordinary. Default 5.'),
  minYoungShare: z
    .number()
    .gt(0)
    .max(1)
    .default(0.6)
    .describe('A young share below this never fires, whatever the baseline. Default 0.6.'),
  youngBaselineFactor: z
    .number()
    .min(1)
    .default(2)
    .describe("…and it must reach youngBaselineFactor × the seller's young baseline (a share cannot pass 1, so 3× a 25 % prior would leave no room). Default 2."),
  youngMaxStrength: z
    .number()
    .min(0)
    .max(1)
    .default(0.6)
    .describe('Cap of the young lane: below what a lone family needs (0.8), so it only corroborates another family. Default 0.6.'),
  evidence: z.number().int().min(1).max(16).default(4).describe('Most recent fresh buyers, and fresh orders and reviews, kept as evidence. Default 4.'),
  ...curveFields,
});
export type Config = z.infer<typeof configSchema>;

export interface State {
  /**
   * The FAST and SLOW blocks (the slow one's baseline lanes fed by what decays out of it), then
   * the recently seen fresh buyers (hour × 2^32 + 32-bit buyer fingerprint, oldest first): their
   * own list cost a field on every seller and 48 bytes of headers on each that has one. Snapshots
   * before hold them as `fresh` (see freshIntoCounts).
   */
  counts: DecayedCounts;
  /** The fresh buyers, orders and reviews kept as evidence; null until the seller's first fresh buyer orders or reviews (most sellers never have one). */
  evidence: FreshEvidence | null;
  /**
   * Evidence of the young lane, in one list: the number of buyers, then the most recent young
   * buyers and their orders, oldest first, at most `evidence` of each. One list where two cost a
   * field and 48 bytes of headers more on the two thirds of sellers that have a young buyer.
   * Snapshots before hold them as `youngBuyers` and `youngOrders` (see upgrade).
   */
  young: readonly (number | string)[];
}

/** Evidence lists: they slide in place once full, so findings get copies. */
interface FreshEvidence {
  freshBuyers: readonly string[];
  freshOrders: readonly string[];
  freshReviews: readonly string[];
}

const NO_EVIDENCE: FreshEvidence = Object.freeze({ freshBuyers: EMPTY, freshOrders: EMPTY, freshReviews: EMPTY });

/**
 * A state as saved by earlier versions: `counts` the FAST block alone (with fewer lanes before
 * the young lane), SLOW apart (absent before it existed), the fresh evidence lists as fields.
 */
interface SavedState extends State {
  fresh?: readonly number[] | undefined;
  slow?: DecayedCounts;
  youngBuyers?: readonly string[] | undefined;
  youngOrders?: readonly string[] | undefined;
  freshBuyers?: readonly string[];
  freshOrders?: readonly string[];
  freshReviews?: readonly string[];
}

/** Config-derived constants, computed once per config object rather than per event. */
type Factors = ReturnType<typeof decayFactors>;
const derived = new WeakMap<Config, { fast: Factors; slow: Factors }>();
function factors(c: Config): { fast: Factors; slow: Factors } {
  let f = derived.get(c);
  if (f === undefined) {
    f = { fast: decayFactors(c.recentHalfLifeHours, c.baselineHalfLifeHours), slow: decayFactors(c.slowHalfLifeHours, c.baselineHalfLifeHours) };
    derived.set(c, f);
  }
  return f;
}

export const signal: SellerSignal<State, Config> = {
  name: 'fresh_accounts',
  family: 'account_age',
  // Other order events would only advance the decay, which the next counted event or evaluation does the same.
  observes: { orders: ['PLACED', 'DELIVERED'], reviews: true },
  create: () => ({ counts: decayedCreate(SIZE, FAST, SLOW), evidence: null, young: EMPTY }),
  revive(saved) {
    const s = saved as State;
    upgrade(s);
    return s;
  },
  observe(s, e, c, keys) {
    const hour = Math.floor(e.eventTime / HOUR_MS);
    // Decay before counting, once per new hour, so an event weighs by its own hour's age.
    let d = s.counts;
    if (hour > decayedHour(d, FAST)) {
      const f = factors(c);
      decayedAdvance(d, FAST, e.eventTime, f.fast);
      decayedAdvance(d, SLOW, e.eventTime, f.slow);
    }
    // An aged buyer's event moves only the order and review totals, never a count quietUntil rests on.
    if (e.kind === 'order') {
      // Every order event carries the account age: a fresh buyer's DELIVERED refreshes it just
      // before the review usually comes. Only PLACED counts as an order.
      if (e.status !== 'PLACED' && e.status !== 'DELIVERED') return true;
      const age = e.eventTime - e.buyerAccountCreatedAt;
      if (e.status !== 'PLACED') {
        // A DELIVERED only refreshes a buyer that ordered fresh: days after a checkout sign-up the account reads fresh too.
        const known = age < c.freshDays * DAY_MS && d.length > SIZE && indexOfFresh(d, keys.buyer) >= 0;
        if (known) remember(s, keys.buyer, hour, c);
        return !known;
      }
      const fresh = age < c.freshDays * DAY_MS && age >= c.signupHours * HOUR_MS;
      if (fresh) {
        remember(s, keys.buyer, hour, c);
        d = s.counts;
      }
      addRecent(d, FAST, ORDERS);
      addRecent(d, SLOW, ORDERS);
      const young = age < c.youngDays * DAY_MS;
      if (young) {
        addRecent(d, FAST, YOUNG_ORDERS);
        s.young = addYoung(s.young, e.buyerId, e.orderId, c.evidence);
      }
      if (!fresh) return !young;
      addRecent(d, FAST, FRESH_ORDERS);
      addRecent(d, SLOW, FRESH_ORDERS);
      const ev = evidenceOf(s);
      if (ev.freshBuyers.indexOf(e.buyerId) < 0) ev.freshBuyers = appendCappedOwned(ev.freshBuyers, e.buyerId, c.evidence);
      ev.freshOrders = appendCappedOwned(ev.freshOrders, e.orderId, c.evidence);
      return false;
    }
    // A reviewer not remembered as fresh counts as aged: unknown buyers are mostly old ones.
    addRecent(d, FAST, REVIEWS);
    const i = d.length === SIZE ? -1 : indexOfFresh(d, keys.buyer);
    // Memories past their horizon are ignored even before expire drops them.
    if (i < 0 || Math.floor(d[i]! / FP_SCALE) <= hour - c.buyerMemoryDays * 24) return true;
    addRecent(d, FAST, FRESH_REVIEWS);
    const ev = evidenceOf(s);
    ev.freshReviews = appendCappedOwned(ev.freshReviews, e.reviewId, c.evidence);
    return false;
  },
  evaluate(s, ctx, c) {
    // Decay up to the closing hour (a no-op if its events already did): they count in full.
    const f = factors(c);
    decayedAdvance(s.counts, FAST, ctx.at - HOUR_MS, f.fast);
    decayedAdvance(s.counts, SLOW, ctx.at - HOUR_MS, f.slow);
    return judge(s, c);
  },
  // Every share needs a minimum of fresh (or young) counts, which without an event only decay: below
  // them all shares are 0 whatever the baselines do. Quiet until the oldest remembered fresh buyer
  // expires, at most QUIET_MAX_MS (the decay then catches up in one advance, as for an idle seller).
  quietUntil(s, at, c) {
    const d = s.counts;
    if (recent(d, FAST, FRESH_ORDERS) >= c.minFresh || recent(d, FAST, FRESH_REVIEWS) >= c.minFresh || recent(d, FAST, YOUNG_ORDERS) >= c.minYoung) return at;
    if (recent(d, SLOW, FRESH_ORDERS) >= c.slowMinFresh) return at;
    const until = at + QUIET_MAX_MS;
    return d.length === SIZE ? until : Math.min(until, (Math.floor(d[SIZE]! / FP_SCALE) + c.buyerMemoryDays * 24) * HOUR_MS);
  },

  expire(s, now, c) {
    const oldest = Math.floor(now / HOUR_MS) - c.buyerMemoryDays * 24 + 1;
    const d = s.counts;
    let end = SIZE;
    while (end < d.length && Math.floor(d[end]! / FP_SCALE) < oldest) end++;
    if (end > SIZE) s.counts = without(d, SIZE, end);
  },
};

/**
 * A state restored from an older snapshot gets its young buyers and orders in one list (empty
 * before the young lane), and its fresh buyers after its counts; (its `counts` the FAST block
 * alone, so of odd length) one array with the lanes and the SLOW block it lacks, empty, and its
 * fresh evidence lists in one object.
 */
function upgrade(s: State): void {
  const saved = s as SavedState;
  if (saved.young === undefined) youngTogether(saved);
  if (saved.fresh === undefined) return;
  if (s.counts.length !== SIZE) withSlow(saved);
  if (saved.fresh.length > 0) s.counts = [...s.counts, ...saved.fresh];
  // Undefined is not written to JSON: a new snapshot has the new shape.
  saved.fresh = undefined;
}

/** A saved state's FAST block alone in `counts` as both blocks, and its fresh evidence lists as one object. */
function withSlow(s: SavedState): void {
  const old = s.counts;
  const n = (old.length - 1) / 2;
  const d = decayedCreate(SIZE, FAST, SLOW);
  d[0] = old[0]!;
  for (let i = 0; i < n; i++) {
    d[1 + i] = old[1 + i]!;
    d[1 + LANES + i] = old[1 + n + i]!;
  }
  if (s.slow !== undefined) for (let i = 0; i < s.slow.length; i++) d[SLOW.at + i] = s.slow[i]!;
  s.counts = d;
  const { freshBuyers = EMPTY, freshOrders = EMPTY, freshReviews = EMPTY } = s;
  s.evidence = freshBuyers.length + freshOrders.length + freshReviews.length > 0 ? { freshBuyers, freshOrders, freshReviews } : null;
  // Undefined is not written to JSON: a new snapshot has the new shape.
  s.slow = s.freshBuyers = s.freshOrders = s.freshReviews = undefined;
}

/** A saved state's young buyers and orders (absent before the young lane) as State.young. */
function youngTogether(s: SavedState): void {
  const buyers = s.youngBuyers ?? EMPTY;
  const orders = s.youngOrders ?? EMPTY;
  s.young = buyers.length + orders.length === 0 ? EMPTY : [buyers.length, ...buyers, ...orders];
  s.youngBuyers = s.youngOrders = undefined;
}

/** The young buyers in State.young, oldest first (a copy). */
function youngBuyers(young: readonly (number | string)[]): string[] {
  return young.length === 0 ? [] : (young.slice(1, 1 + (young[0] as number)) as string[]);
}

/** The young orders in State.young, oldest first (a copy). */
function youngOrders(young: readonly (number | string)[]): string[] {
  return young.length === 0 ? [] : (young.slice(1 + (young[0] as number)) as string[]);
}

/**
 * State.young with `order` and, if not held yet, `buyer` appended, each keeping its last `cap`:
 * as appendCappedOwned does for each list, it slides in place once neither list grows (the
 * usual case once a seller has had `cap` young buyers), else a new exact-size list.
 */
function addYoung(young: readonly (number | string)[], buyer: string, order: string, cap: number): readonly (number | string)[] {
  const nb = young.length === 0 ? 0 : (young[0] as number);
  const no = young.length === 0 ? 0 : young.length - 1 - nb;
  const at = young.indexOf(buyer, 1);
  const held = at > 0 && at <= nb;
  const buyers = held ? nb : Math.min(nb + 1, cap);
  const orders = Math.min(no + 1, cap);
  if (young.length > 0 && buyers === nb && orders === no) {
    const l = young as (number | string)[];
    if (!held) {
      for (let i = 1; i < nb; i++) l[i] = l[i + 1]!;
      l[nb] = buyer;
    }
    for (let i = 1 + nb; i < l.length - 1; i++) l[i] = l[i + 1]!;
    l[l.length - 1] = order;
    return l;
  }
  const out = new Array<number | string>(1 + buyers + orders);
  out[0] = buyers;
  let o = 1;
  const keptBuyers = held ? nb : buyers - 1;
  for (let i = 1 + nb - keptBuyers; i <= nb; i++) out[o++] = young[i]!;
  if (!held) out[o++] = buyer;
  for (let i = young.length - (orders - 1); i < young.length; i++) out[o++] = young[i]!;
  out[o] = order;
  return out;
}

/** The evidence lists, created at first use. */
function evidenceOf(s: State): FreshEvidence {
  return (s.evidence ??= { freshBuyers: EMPTY, freshOrders: EMPTY, freshReviews: EMPTY });
}

/** Where the fresh buyer of fingerprint `fp` is in `counts`, or −1. */
function indexOfFresh(d: DecayedCounts, fp: number): number {
  for (let i = d.length - 1; i >= SIZE; i--) if (lowOf(d[i]!, FP_SCALE) === fp) return i;
  return -1;
}

/** A new exact-size copy of `d` without its numbers from `from` to `to`, and with `v` appended if given. */
function without(d: DecayedCounts, from: number, to: number, v?: number): DecayedCounts {
  const out = new Array<number>(d.length - (to - from) + (v === undefined ? 0 : 1));
  let o = 0;
  for (let i = 0; i < from; i++) out[o++] = d[i]!;
  for (let i = to; i < d.length; i++) out[o++] = d[i]!;
  if (v !== undefined) out[o] = v;
  return out;
}

/**
 * Moves (or adds) a fresh buyer to the end of the list, the oldest leaving beyond the cap. The list
 * holds fingerprints only (never evidence), so a move or a full list's slide happens in place; only
 * a growing list is replaced by an exact-size copy of `counts`.
 */
function remember(s: State, fp: number, hour: number, c: Config): void {
  const d = s.counts;
  const v = hour * FP_SCALE + fp;
  const kept = d.length - SIZE;
  let i = indexOfFresh(d, fp);
  if (i < 0) {
    if (kept < c.freshKept) {
      s.counts = without(d, d.length, d.length, v);
      return;
    }
    i = SIZE;
  }
  // A list restored under a larger freshKept is cut to the cap here (its oldest leave), as appendCapped would.
  if (kept > c.freshKept) {
    const cut = without(d, i, i + 1, v);
    s.counts = without(cut, SIZE, SIZE + kept - c.freshKept);
    return;
  }
  for (let j = i + 1; j < d.length; j++) d[j - 1] = d[j]!;
  d[d.length - 1] = v;
}

/**
 * Whether `fresh` of `total` recent events is improbable under the baseline share: a share of a
 * tiny sample is mostly chance, so a small seller needs more fresh accounts than a large one.
 */
function surprising(fresh: number, total: number, baseline: number, c: Config): boolean {
  return binomialTail(fresh, total, baseline) <= c.maxTail;
}

function judge(s: State, c: Config): SignalFinding | null {
  const d = s.counts;
  const baseOrders = (base(d, FAST, FRESH_ORDERS) + c.populationShare * c.priorWeight) / (base(d, FAST, ORDERS) + c.priorWeight);
  const baseReviews = (base(d, FAST, FRESH_REVIEWS) + c.populationShare * c.priorWeight) / (base(d, FAST, REVIEWS) + c.priorWeight);
  const orders = recent(d, FAST, ORDERS);
  const reviews = recent(d, FAST, REVIEWS);
  const freshOrders = recent(d, FAST, FRESH_ORDERS);
  const freshReviews = recent(d, FAST, FRESH_REVIEWS);
  // The slow lanes' counts, read first: a campaign goes on, so days of fresh accounts improbable
  // for the seller also let the day's share count, where a one-day chance pair does not.
  const slowBase = (base(d, SLOW, FRESH_ORDERS) + c.populationShare * c.priorWeight) / (base(d, SLOW, ORDERS) + c.priorWeight);
  const slowOrders = recent(d, SLOW, ORDERS);
  const slowFresh = recent(d, SLOW, FRESH_ORDERS);
  const lasting = surprising(slowFresh, slowOrders, slowBase, c);
  const orderShare =
    orders >= c.minOrders && freshOrders >= c.minFresh && (lasting || surprising(freshOrders, orders, baseOrders, c)) ? freshOrders / orders : 0;
  const reviewShare = reviews >= c.minReviews && freshReviews >= c.minFresh && surprising(freshReviews, reviews, baseReviews, c) ? freshReviews / reviews : 0;
  const orderThr = Math.max(c.minShare, c.baselineFactor * baseOrders);
  const reviewThr = Math.max(c.minShare, c.baselineFactor * baseReviews);
  // The slow share: the same rule over about four days, against the slow lanes' own baseline.
  // No surprise test here: slowMinFresh (4) days-old accounts among a small seller's few days of
  // orders are already improbable, and a drip feeds the slow baseline the test would use.
  const slowShare = slowOrders >= c.minOrders && slowFresh >= c.slowMinFresh ? slowFresh / slowOrders : 0;
  const slowThr = Math.max(c.minShare, c.baselineFactor * slowBase);
  const slowStrength = strengthOf(slowShare, slowThr, c);
  const fastStrength = strengthOf(orderShare, orderThr, c);
  const bySlow = slowStrength > fastStrength;
  const orderStrength = bySlow ? slowStrength : fastStrength;
  const reviewStrength = c.reviewWeight * strengthOf(reviewShare, reviewThr, c);
  const baseYoung = (base(d, FAST, YOUNG_ORDERS) + c.youngPopulationShare * c.priorWeight) / (base(d, FAST, ORDERS) + c.priorWeight);
  const young = recent(d, FAST, YOUNG_ORDERS);
  const youngShare = young >= c.minYoung && orders > 0 ? young / orders : 0;
  const youngThr = Math.max(c.minYoungShare, c.youngBaselineFactor * baseYoung);
  const youngStrength = Math.min(c.youngMaxStrength, strengthOf(youngShare, youngThr, c));
  const strength = Math.max(orderStrength, reviewStrength, youngStrength);
  if (strength < c.minStrength || strength === 0) return null;
  if (youngStrength > orderStrength && youngStrength > reviewStrength)
    return {
      name: 'fresh_accounts',
      family: 'account_age',
      value: round2(youngShare),
      threshold: round2(youngThr),
      strength: round2(youngStrength),
      horizonMs: Math.round(c.recentHalfLifeHours * HOUR_MS),
      baseline: round2(baseYoung),
      explanation: `${Math.round(youngShare * 100)}% of about ${Math.round(orders)} recent orders come from accounts younger than ${c.youngDays} days, against a threshold of ${Math.round(youngThr * 100)}% (baseline ${round2(baseYoung * 100)}%); capped at ${c.youngMaxStrength}: young accounts only corroborate.`,
      evidence: { buyerIds: youngBuyers(s.young), orderIds: youngOrders(s.young) },
      demographic: true,
    };

  const byOrders = orderStrength >= reviewStrength;
  const ev = s.evidence ?? NO_EVIDENCE;
  const slow = byOrders && bySlow;
  const value = byOrders ? (slow ? slowShare : orderShare) : reviewShare;
  const threshold = byOrders ? (slow ? slowThr : orderThr) : reviewThr;
  const baseline = byOrders ? (slow ? slowBase : baseOrders) : baseReviews;
  const what = byOrders ? 'orders' : 'reviews';
  const total = byOrders ? (slow ? slowOrders : orders) : reviews;
  return {
    name: 'fresh_accounts',
    family: 'account_age',
    value: round2(value),
    threshold: round2(threshold),
    strength: round2(strength),
    horizonMs: Math.round((slow ? c.slowHalfLifeHours : c.recentHalfLifeHours) * HOUR_MS),
    baseline: round2(baseline),
    explanation: `${Math.round(value * 100)}% of about ${Math.round(total)} recent ${what} come from accounts younger than ${c.freshDays} days, against a threshold of ${Math.round(threshold * 100)}% (baseline ${round2(baseline * 100)}%).`,
    evidence: byOrders ? { buyerIds: ev.freshBuyers.slice(), orderIds: ev.freshOrders.slice() } : { buyerIds: ev.freshBuyers.slice(), reviewIds: ev.freshReviews.slice() },
  };
}
