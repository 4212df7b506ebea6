/**
 * Signal 4, `review_timing` (family review_timing): reviews that come too soon after delivery
 * (minutes: nobody has used the item yet) or before it (the order is not delivered yet, or never
 * is), plus bursts of 5-star reviews far above the seller's usual hourly rate. Only 4–5 star
 * reviews are suspicious (brushing praises; a quick complaint is an unhappy buyer), and reviews
 * on receipt alone are discounted unless a recent review before delivery corroborates them (honest
 * buyers often review on receipt, hardly ever before it).
 *
 * Order state is remembered per order in a fingerprint table (one number each: placed or
 * delivered, and the minute), never as id strings. The suspicious share is kept in two-speed
 * decayed counters and judged against the seller's baseline blended with a configured prior.
 * A 5-star burst alone is weak evidence (a viral product earns many genuine 5-star reviews), so
 * its weight keeps it below the reporting floor: it only strengthens a timing finding.
 */
import { z } from 'zod';
import type { SellerSignal, SignalFinding } from '../types.js';
import { addRecent, base, block, blockEnd, decayedAdvance, decayedCreate, decayedGrow, decayedHour, decayFactors, HOUR_MS, QUIET_MAX_MS, recent, type Block, type DecayedCounts } from '../sketch/decay.js';
import { appendCapped, EMPTY } from '../sketch/lists.js';
import { curveFields, round2, strengthOf } from './curve.js';
import { isDue, lowered, lowest, NOTHING_DUE, tableAdd, tableExpire, tableGet, tablePut, type Table } from './fingerprint-table.js';

const MINUTE_MS = 60_000;
/**
 * The state's unboxed numbers (`counts`): the hourly 5-star rate EWMA and its value when the
 * peak was counted, then blocks of decayed counts (decay.ts). FAST: verified reviews (orderId
 * set) and the suspicious ones; SLOW (added at the seller's first delivery or suspicious
 * review): deliveries and the suspicious reviews with the slow half-life; PRE (added at the first
 * suspicious review before delivery): those alone, slow half-life. The order table follows the
 * blocks (fingerprint-table.ts), from `tableAt` on.
 */
const FIVE_RATE = 0;
const FIVE_PEAK_RATE = 1;
const FAST = block(2, 2);
const SLOW = block(2, blockEnd(FAST));
const PRE = block(1, blockEnd(SLOW));
/** Deliveries with the recent (FAST) half-lives, added with SLOW and PRE at the seller's first delivery. */
const FAST_DELIVERED = block(1, blockEnd(PRE));
/** Lanes of FAST (REVIEWS, SUSPECT) and SLOW (DELIVERED, SUSPECT). */
const REVIEWS = 0;
const SUSPECT = 1;
const DELIVERED = 0;
/** Order table payload: minute × 2 + delivered bit. */
const PAYLOAD_BITS = 28;
/** Beyond this many idle hours the 5-star rate has decayed to nothing anyway. */
const MAX_RATE_STEPS = 24 * 366;

export const configSchema = z.object({
  fastMinutes: z
    .number()
    .gt(0)
    .default(60)
    .describe(
      'A review less than this many minutes after its DELIVERED event is too fast to have used the item. Default 60 (at 10, farms reviewing 5–60 min after delivery were caught in 3 of 12 simulated campaigns; at 60 in 12 of 12, with no hard-negative finding).',
    ),
  fastWeight: z
    .number()
    .gt(0)
    .max(1)
    .default(0.7)
    .describe(
      'While no review before delivery came recently (minEarly), the recent share of verified reviews (12 h) and its count of suspicious reviews are scaled by this: reviews on receipt alone must reach minShare / fastWeight of the recent reviews and minSuspect / fastWeight of them. Reviewing on receipt is common for honest buyers of some categories, and a handful of them is a high share of a small shop\'s few recent reviews; reviewing an item not yet received is not honest behaviour. The slow share, per delivery, is not scaled: honest quick reviewers stay a small fraction of deliveries. Default 0.7 (Monte Carlo of 150 honest shops × 28 days at 8 orders a day, a third reviewed, a third of those within the hour, all 5 stars: 18 shops reached strength 0.8 at 1, none at 0.7).',
    ),
  minEarly: z
    .number()
    .gt(0)
    .default(0.5)
    .describe(
      'Decayed before-delivery reviews (slowHalfLifeHours half-life) that corroborate the fast ones, which then count in full. Default 0.5: one within the last slowHalfLifeHours. (Scaling the slow share too lost a 5-review campaign, all on receipt, on small seed 17; scaling fast reviews always, corroborated or not, lost one caught review_timing campaign in 9 of 26 small runs, seeds 1–23 and 61–63.)',
    ),
  minRating: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(4)
    .describe(
      'A fast or pre-delivery review is suspicious only at this rating or above: brushing posts praise, a quick 1–3 star review is an unhappy customer. Lower ratings still count among the verified reviews. Default 4.',
    ),
  minShare: z.number().gt(0).max(1).default(0.3).describe('Share of recent verified reviews that are too fast or before delivery needed to fire. Default 0.3.'),
  baselineFactor: z.number().min(1).default(3).describe("…and at least baselineFactor × the seller's baseline share. Default 3."),
  populationShare: z.number().min(0).max(1).default(0.05).describe('Prior share of too-fast or pre-delivery reviews on an ordinary seller. Default 0.05.'),
  priorWeight: z.number().min(0).default(20).describe("The prior weighs as this many reviews in the seller's baseline. Default 20."),
  minSuspect: z.number().gt(0).default(3).describe('Recent (decayed) suspicious reviews needed to fire. Default 3.'),
  fastPerDeliveryShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.15)
    .describe(
      "While no review before delivery came recently, the recent share is also judged per recent delivery (same half-life), where this share counts as the threshold: reviews on receipt come within the hour of their delivery, so per delivery they are a shop's usual habit whatever its growth, while per review they dominate whenever deliveries climb (a viral product's later reviews of its recent cohorts have not come yet). An honest shop whose buyers review a third of their orders, a fifth of those on receipt, is at 0.07. 0 disables. Default 0.15.",
    ),
  recentHalfLifeHours: z.number().gt(0).default(12).describe('Half-life of the recent counts, hours. Default 12.'),
  baselineHalfLifeHours: z.number().gt(0).default(336).describe('Half-life of the baseline counts, hours. Default 336 (14 days).'),
  slowHalfLifeHours: z
    .number()
    .gt(0)
    .default(72)
    .describe(
      'Half-life of the slow counts of deliveries and suspicious reviews, hours (about four days of memory): a farm posting one fast review every half day never has minSuspect within the recent half-life. Default 72.',
    ),
  slowMinSuspect: z.number().gt(0).default(4).describe('Slow (decayed) suspicious reviews needed for the slow share to fire. Default 4.'),
  orderSlots: z
    .number()
    .int()
    .min(2)
    .max(65536)
    .refine((n) => (n & (n - 1)) === 0, 'orderSlots must be a power of two, e.g. 64')
    .default(64)
    .describe('Fingerprint slots remembering recent orders (placed or delivered, and when); power of two, oldest of a pair evicted. Default 64.'),
  orderMemoryDays: z.number().int().min(1).default(30).describe('A remembered order is used for this many days. Default 30.'),
  burstMin: z.number().int().min(1).default(8).describe('5-star reviews within one hour needed to count as a burst. Default 8.'),
  burstFactor: z.number().gt(1).default(6).describe('…and at least burstFactor × the seller\'s hourly 5-star rate (or the prior). Default 6.'),
  fiveStarPriorPerHour: z.number().gt(0).default(0.2).describe('Floor of the hourly 5-star rate a burst is compared with. Default 0.2.'),
  fiveStarHalfLifeHours: z.number().gt(0).default(72).describe("Half-life of the seller's hourly 5-star rate EWMA. Default 72 (3 days)."),
  burstWeight: z.number().min(0).max(1).default(0.25).describe('Strength multiplier of a burst; below minStrength so a burst alone never reports. Default 0.25.'),
  evidence: z.number().int().min(1).max(16).default(4).describe('Most recent suspicious reviews (id, buyer, order) kept as evidence. Default 4.'),
  ...curveFields,
});
export type Config = z.infer<typeof configSchema>;

export interface State {
  /**
   * The 5-star rates and the FAST, SLOW and PRE counts (see FIVE_RATE), SLOW and PRE absent until
   * first used; then, from `tableAt`, the order table: order fingerprint → minute × 2 + delivered
   * bit (fingerprint-table.ts: sparse while a few orders). One array: the table as an array of its own
   * cost every seller 48 B of headers.
   */
  counts: DecayedCounts;
  /** Where the blocks end and the order table starts in `counts`. */
  tableAt: number;
  /** A lower bound of the payloads in `orders` (a minute × 2 fits a small integer). */
  ordersLow?: number;
  /** 5-star reviews in event hour `fiveHour`, and the highest such count since the last evaluation. */
  fiveHour: number;
  fiveCount: number;
  fivePeak: number;
  /**
   * The latest suspicious reviews, their buyers and orders, and the suspicious reviews since the
   * last evaluation; null until the seller's first (most sellers never have one, and two counts
   * of their own were two fields on every seller).
   */
  evidence: Evidence | null;
  /**
   * Whether the last evaluation found the timing share over its threshold (FAST_FIRING: the FAST
   * baseline then stops learning), and the same for SLOW (SLOW_FIRING). One field where two
   * booleans were.
   */
  firing: number;
}

const FAST_FIRING = 1;
const SLOW_FIRING = 2;

interface Evidence {
  reviewIds: readonly string[];
  buyerIds: readonly string[];
  orderIds: readonly string[];
  /** Suspicious reviews since the last evaluation: too fast after delivery, before it. */
  fast: number;
  early: number;
}

const NO_EVIDENCE: Evidence = Object.freeze({ reviewIds: EMPTY, buyerIds: EMPTY, orderIds: EMPTY, fast: 0, early: 0 });

/**
 * A state as saved by earlier versions: the order table as an array of its own (`orders`, with
 * the blocks alone in `counts`); before that also the suspicious reviews since the last
 * evaluation and the two firing flags as fields; before that the 5-star rates as fields, the FAST
 * block alone in `counts`, the SLOW and PRE blocks (when used) as arrays of their own, the
 * evidence lists as fields.
 */
interface SavedState extends Omit<State, 'firing' | 'evidence' | 'tableAt'> {
  tableAt?: number | undefined;
  orders?: Table | undefined;
  evidence?: Evidence | Omit<Evidence, 'fast' | 'early'> | null;
  fast?: number | undefined;
  early?: number | undefined;
  firing?: boolean | number;
  slowFiring?: boolean | undefined;
  reviewIds?: readonly string[];
  buyerIds?: readonly string[];
  orderIds?: readonly string[];
  fivePeakRate?: number;
  fiveRate?: number;
  slow?: DecayedCounts;
  pre?: DecayedCounts;
}

interface Derived {
  readonly factors: ReturnType<typeof decayFactors>;
  readonly slowFactors: ReturnType<typeof decayFactors>;
  readonly fiveKeep: number;
}
const derived = new WeakMap<Config, Derived>();
function derive(c: Config): Derived {
  let d = derived.get(c);
  if (d === undefined) {
    d = {
      factors: decayFactors(c.recentHalfLifeHours, c.baselineHalfLifeHours),
      slowFactors: decayFactors(c.slowHalfLifeHours, c.baselineHalfLifeHours),
      fiveKeep: 2 ** (-1 / c.fiveStarHalfLifeHours) };
    derived.set(c, d);
  }
  return d;
}

export const signal: SellerSignal<State, Config> = {
  name: 'review_timing',
  family: 'review_timing',
  observes: { orders: ['PLACED', 'DELIVERED'], reviews: true },
  // Every field at once, so that a seller's state keeps one shape with its fields in the object.
  create: (c) => ({
    counts: decayedCreate(blockEnd(FAST), FAST),
    tableAt: blockEnd(FAST),
    ordersLow: NOTHING_DUE,
    fiveHour: -1,
    fiveCount: 0,
    fivePeak: 0,
    evidence: null,
    firing: 0,
  }),
  revive(saved) {
    const s = saved as SavedState;
    if (typeof s.firing !== 'number') upgrade(s);
    if (s.tableAt === undefined) {
      s.tableAt = s.counts.length;
      s.counts = s.counts.concat(s.orders ?? EMPTY);
      s.orders = undefined;
    }
    return s as State;
  },
  // Orders only add deliveries and table entries (which expire after any quiet period, see
  // quietUntil); a review that is not 5-star and not suspicious (slow, or under minRating) adds
  // only to the review count.
  observe(s, e, c, keys) {
    const minute = Math.floor(e.eventTime / MINUTE_MS);
    if (e.kind === 'order') {
      if (e.status === 'DELIVERED') {
        addRecent(slowCounts(s, e.eventTime, c), SLOW, DELIVERED);
        addRecent(fastDelivered(s, e.eventTime, c), FAST_DELIVERED, 0);
        s.counts = tablePut(s.counts, s.tableAt, c.orderSlots, keys.order, minute * 2 + 1, PAYLOAD_BITS);
        s.ordersLow = lowered(s.ordersLow, minute * 2 + 1, 1);
      } else if (e.status === 'PLACED') {
        const counts = tableAdd(s.counts, s.tableAt, c.orderSlots, keys.order, minute * 2, PAYLOAD_BITS);
        if (counts !== null) {
          s.counts = counts;
          s.ordersLow = lowered(s.ordersLow, minute * 2, 1);
        }
      }
      return true;
    }
    const five = e.rating === 5;
    if (five) countFive(s, Math.floor(e.eventTime / HOUR_MS), c);
    if (e.orderId === null) return !five;
    // Decay before counting, once per new hour, so a review weighs by its own hour's age.
    const d = s.counts;
    if (Math.floor(e.eventTime / HOUR_MS) > decayedHour(d, FAST)) decayedAdvance(d, FAST, e.eventTime, derive(c).factors, (s.firing & FAST_FIRING) === 0);
    addRecent(d, FAST, REVIEWS);
    // A review of an order the table no longer holds is an ordinary one, not a skipped one: a busy
    // seller's table holds hours of orders, so skipping would leave only its quick reviews in the share.
    const payload = tableGet(d, s.tableAt, c.orderSlots, keys.order, PAYLOAD_BITS);
    if (payload < 0) return !five;
    const then = Math.floor(payload / 2);
    // Memories past their horizon count the same, even before expire removes them.
    if (then <= minute - c.orderMemoryDays * 1440) return !five;
    const delivered = payload % 2 === 1;
    if (delivered && minute - then >= c.fastMinutes) return !five;
    // Brushing praises: a quick complaint stays among the verified reviews but is not suspicious.
    if (e.rating < c.minRating) return !five;
    addRecent(d, FAST, SUSPECT);
    addRecent(slowCounts(s, e.eventTime, c), SLOW, SUSPECT);
    if (!delivered) {
      // SLOW, just added if it was not there, comes before PRE.
      const pre = withBlock(s, PRE);
      if (Math.floor(e.eventTime / HOUR_MS) > decayedHour(pre, PRE)) decayedAdvance(pre, PRE, e.eventTime, derive(c).slowFactors);
      addRecent(pre, PRE, 0);
    }
    const ev = (s.evidence ??= { reviewIds: EMPTY, buyerIds: EMPTY, orderIds: EMPTY, fast: 0, early: 0 });
    if (delivered) ev.fast++;
    else ev.early++;
    ev.reviewIds = appendCapped(ev.reviewIds, e.reviewId, c.evidence);
    if (ev.buyerIds.indexOf(e.buyerId) < 0) ev.buyerIds = appendCapped(ev.buyerIds, e.buyerId, c.evidence);
    ev.orderIds = appendCapped(ev.orderIds, e.orderId, c.evidence);
    return false;
  },
  evaluate(s, ctx, c) {
    // Decay up to the closing hour (a no-op if its events already did): they count in full.
    const d = s.counts;
    const f = derive(c);
    decayedAdvance(d, FAST, ctx.at - HOUR_MS, f.factors, (s.firing & FAST_FIRING) === 0);
    if (s.tableAt > SLOW.at) decayedAdvance(d, SLOW, ctx.at - HOUR_MS, f.slowFactors, (s.firing & SLOW_FIRING) === 0);
    if (s.tableAt > PRE.at) decayedAdvance(d, PRE, ctx.at - HOUR_MS, f.slowFactors);
    if (s.tableAt > FAST_DELIVERED.at) decayedAdvance(d, FAST_DELIVERED, ctx.at - HOUR_MS, f.factors);
    const finding = judge(s, c);
    s.fivePeak = 0;
    d[FIVE_PEAK_RATE] = 0;
    if (s.evidence !== null) {
      s.evidence.fast = 0;
      s.evidence.early = 0;
    }
    return finding;
  },
  // Under half the suspicious reviews firing needs, in both lanes: the shares are 0 and `firing`
  // false (so the baselines keep learning as they do now), and without a review the recent counts
  // only decay, while the 5-star peak stays 0. The baselines moving changes no threshold that a
  // share of 0 could reach. Quiet until the order table's oldest entry may expire, at most
  // QUIET_MAX_MS (the decay then catches up in one advance, as it does for an idle seller), and
  // less than orderMemoryDays, so that an order remembered during the quiet period outlives it.
  quietUntil(s, at, c) {
    const d = s.counts;
    if (recent(d, FAST, SUSPECT) >= c.minSuspect / 2) return at;
    if (s.tableAt > SLOW.at && recent(d, SLOW, SUSPECT) >= c.slowMinSuspect / 2) return at;
    if (s.ordersLow === undefined) return at;
    const memory = c.orderMemoryDays * 1440;
    return Math.min(at + QUIET_MAX_MS, (Math.floor(at / MINUTE_MS) + memory) * MINUTE_MS, (Math.floor(s.ordersLow / 2) + memory) * MINUTE_MS);
  },

  expire(s, now, c) {
    const min = (Math.floor(now / MINUTE_MS) - c.orderMemoryDays * 1440 + 1) * 2;
    if (!isDue(s.ordersLow, min, 1)) return;
    s.counts = tableExpire(s.counts, s.tableAt, c.orderSlots, min, PAYLOAD_BITS);
    s.ordersLow = lowest(s.counts, s.tableAt, c.orderSlots, PAYLOAD_BITS, 1);
  },
};

/** The counts with the SLOW block, added on first use, decayed up to `t`'s hour. */
function slowCounts(s: State, t: number, c: Config): DecayedCounts {
  const d = withBlock(s, SLOW);
  if (Math.floor(t / HOUR_MS) > decayedHour(d, SLOW)) decayedAdvance(d, SLOW, t, derive(c).slowFactors, (s.firing & SLOW_FIRING) === 0);
  return d;
}

/** The counts with the recent deliveries (and SLOW and PRE before them, added empty if absent), decayed up to `t`'s hour. */
function fastDelivered(s: State, t: number, c: Config): DecayedCounts {
  withBlock(s, PRE);
  const d = withBlock(s, FAST_DELIVERED);
  if (Math.floor(t / HOUR_MS) > decayedHour(d, FAST_DELIVERED)) decayedAdvance(d, FAST_DELIVERED, t, derive(c).factors);
  return d;
}

/**
 * The counts with block `b`, added empty after the blocks on first use (the blocks before it are
 * there, so b.at is `tableAt`), the order table moved up behind it.
 */
function withBlock(s: State, b: Block): DecayedCounts {
  if (s.tableAt < blockEnd(b)) {
    s.counts = decayedGrow(s.counts, b);
    s.tableAt = blockEnd(b);
  }
  return s.counts;
}

/**
 * Moves a saved state's suspicious reviews since the last evaluation into `evidence`, its firing
 * flags into `firing`, and, saved earlier still, its 5-star rates and separate SLOW and PRE arrays
 * into `counts` and its evidence lists into `evidence`.
 */
function upgrade(s: SavedState): void {
  if (s.fiveRate !== undefined) {
    // The three lists fill together: the first suspicious review adds to each.
    s.evidence = s.reviewIds !== undefined && s.reviewIds.length > 0 ? { reviewIds: s.reviewIds, buyerIds: s.buyerIds ?? EMPTY, orderIds: s.orderIds ?? EMPTY } : null;
    // PRE follows SLOW in `counts`: a saved PRE without SLOW (never written) gets an empty SLOW.
    const slow = s.slow ?? (s.pre === undefined ? EMPTY : decayedCreate(1 + 2 * SLOW.lanes, block(SLOW.lanes)));
    s.counts = [s.fiveRate ?? 0, s.fivePeakRate ?? 0, ...s.counts, ...slow, ...(s.pre ?? EMPTY)];
    // Absent again (undefined is not written to JSON); only restored states keep the extra fields.
    s.fiveRate = s.fivePeakRate = s.slow = s.pre = s.reviewIds = s.buyerIds = s.orderIds = undefined;
  }
  const fast = s.fast ?? 0;
  const early = s.early ?? 0;
  // A suspicious review adds to the evidence too, so counts come with it; a state saved without it gets it empty.
  const ev = s.evidence ?? (fast + early > 0 ? { reviewIds: EMPTY, buyerIds: EMPTY, orderIds: EMPTY } : null);
  s.evidence = ev === null ? null : { reviewIds: ev.reviewIds, buyerIds: ev.buyerIds, orderIds: ev.orderIds, fast, early };
  s.firing = (s.firing === true ? FAST_FIRING : 0) | (s.slowFiring === true ? SLOW_FIRING : 0);
  s.fast = s.early = s.slowFiring = undefined;
}

/** Counts a 5-star review in its hour; a finished hour feeds the seller's hourly-rate EWMA. */
function countFive(s: State, hour: number, c: Config): void {
  const d = s.counts;
  if (hour > s.fiveHour) {
    if (s.fiveHour >= 0) {
      const keep = derive(c).fiveKeep;
      const steps = Math.min(hour - s.fiveHour, MAX_RATE_STEPS);
      let rate = d[FIVE_RATE]! * keep + (1 - keep) * s.fiveCount;
      for (let i = 1; i < steps; i++) rate *= keep;
      d[FIVE_RATE] = rate;
    }
    s.fiveHour = hour;
    s.fiveCount = 0;
  }
  s.fiveCount++;
  if (s.fiveCount > s.fivePeak) {
    s.fivePeak = s.fiveCount;
    // The rate the burst is judged against excludes the burst hour itself.
    d[FIVE_PEAK_RATE] = d[FIVE_RATE]!;
  }
}

interface Share {
  share: number;
  threshold: number;
  baseline: number;
  strength: number;
  /** Over its threshold with at least half the suspicious reviews a report needs (unscaled). */
  firing: boolean;
}

const newShare = (): Share => ({ share: 0, threshold: 0, baseline: 0, strength: 0, firing: false });
/** Scratch of judge, refilled per evaluation (evaluation is synchronous): the usual quiet one allocates nothing. */
const FAST_SHARE = newShare();
const SLOW_SHARE = newShare();

/** `weight` scales the suspicious reviews for the share and its count (fastWeight while uncorroborated), not for the baseline nor the freeze. */
function shareOf(d: DecayedCounts, b: Block, minSuspect: number, weight: number, c: Config, into: Share): Share {
  const baseline = (base(d, b, SUSPECT) + c.populationShare * c.priorWeight) / (base(d, b, REVIEWS) + c.priorWeight);
  const suspect = recent(d, b, SUSPECT);
  const reviews = recent(d, b, REVIEWS);
  const share = suspect * weight >= minSuspect && reviews > 0 ? (suspect * weight) / reviews : 0;
  const threshold = Math.max(c.minShare, c.baselineFactor * baseline);
  const strength = strengthOf(share, threshold, c);
  into.share = share;
  into.threshold = threshold;
  into.baseline = baseline;
  into.strength = strength;
  into.firing = strength > 0 || (suspect >= minSuspect / 2 && suspect >= threshold * reviews);
  return into;
}

function judge(s: State, c: Config): SignalFinding | null {
  // A campaign lasting days must not become the seller's normal: the baseline stops learning while
  // the recent share is over the threshold with at least half the suspicious reviews a report
  // needs, so a slow campaign's first fast reviews do not raise the bar it then has to clear.
  // Reviews on receipt alone are what honest quick reviewers also produce, and a few of them are a
  // high share of a small shop's few recent reviews: without a recent review before delivery
  // (which honest buyers hardly ever write) they count at fastWeight in the recent share. The
  // freeze judges them unscaled, so an uncorroborated campaign still does not become the baseline;
  // the slow share is per delivery, where honest quick reviewers stay a small fraction, unscaled.
  const d = s.counts;
  const weight = s.tableAt > PRE.at && recent(d, PRE, 0) >= c.minEarly ? 1 : c.fastWeight;
  const fast = shareOf(d, FAST, c.minSuspect, weight, c, FAST_SHARE);
  // Uncorroborated, the share per review is also judged per recent delivery: quick reviews arrive
  // with their deliveries, the later ones days after, so on a shop whose deliveries climb the
  // recent reviews are mostly quick ones by arithmetic. Per delivery an honest shop's quick
  // reviewers stay its usual fraction; a farm reviewing its own deliveries on receipt does not.
  // The finding keeps the share per review as its value; the weaker of the two judgements is its strength.
  let perDelivery = -1;
  if (weight < 1 && c.fastPerDeliveryShare > 0 && s.tableAt > FAST_DELIVERED.at && fast.strength > 0) {
    perDelivery = (recent(d, FAST, SUSPECT) * weight) / Math.max(recent(d, FAST_DELIVERED, 0), 1);
    // Scaled so that fastPerDeliveryShare reads as the share's threshold.
    fast.strength = Math.min(fast.strength, strengthOf(perDelivery * (fast.threshold / c.fastPerDeliveryShare), fast.threshold, c));
  }
  // The slow share: suspicious reviews per delivery over about four days, against its own baseline.
  // Per delivery, not per review: the fast reviews of a cohort arrive days before its slow ones,
  // so a share of reviews over days runs high whenever deliveries pick up (a new shop, a sale).
  const slow = s.tableAt > SLOW.at ? shareOf(d, SLOW, c.slowMinSuspect, 1, c, SLOW_SHARE) : null;
  s.firing = (fast.firing ? FAST_FIRING : 0) | (slow !== null && slow.firing ? SLOW_FIRING : 0);
  const bySlow = slow !== null && slow.strength > fast.strength;
  const { share, threshold, baseline, strength: timing } = bySlow ? slow : fast;

  const rate = Math.max(d[FIVE_PEAK_RATE]!, c.fiveStarPriorPerHour);
  const burstRatio = s.fivePeak >= c.burstMin ? s.fivePeak / rate : 0;
  const burst = c.burstWeight * strengthOf(burstRatio, c.burstFactor, c);

  // Independent evidence reinforces: 1 − (1 − timing)(1 − burst).
  const strength = 1 - (1 - timing) * (1 - burst);
  if (strength < c.minStrength || strength === 0) return null;
  const burstText = burst > 0 ? `${s.fivePeak} five-star reviews in one hour, ${round2(burstRatio)}× the usual rate` : '';
  if (timing === 0) {
    return {
      name: 'review_timing',
      family: 'review_timing',
      value: round2(burstRatio),
      threshold: c.burstFactor,
      strength: round2(strength),
      horizonMs: HOUR_MS,
      baseline: round2(rate),
      explanation: `${burstText}.`,
      evidence: {},
    };
  }
  const ev = s.evidence ?? NO_EVIDENCE;
  const parts = `${ev.fast} too fast, ${ev.early} before delivery since the last check`;
  return {
    name: 'review_timing',
    family: 'review_timing',
    value: round2(share),
    threshold: round2(threshold),
    strength: round2(strength),
    horizonMs: Math.round((bySlow ? c.slowHalfLifeHours : c.recentHalfLifeHours) * HOUR_MS),
    baseline: round2(baseline),
    explanation:
      `${bySlow ? `reviews less than ${c.fastMinutes} minutes after delivery or before it came at ${Math.round(share * 100)}% of the last few days' deliveries` : `${Math.round((share / weight) * 100)}% of recent verified reviews came less than ${c.fastMinutes} minutes after delivery or before it${weight < 1 ? `, counted at ${weight} as none came before delivery in about ${c.slowHalfLifeHours} h (${Math.round(share * 100)}%)` : ''}${perDelivery >= 0 ? `, ${Math.round(perDelivery * 100)}% of the recent deliveries (against ${Math.round(c.fastPerDeliveryShare * 100)}%)` : ''}`}` +
      ` (${parts}), against a threshold of ${Math.round(threshold * 100)}%${burstText === '' ? '' : `; ${burstText}`}.`,
    evidence: { reviewIds: ev.reviewIds, buyerIds: ev.buyerIds, orderIds: ev.orderIds },
  };
}
