/**
 * Signal 9, `edge_burst` (family concentration): bursts of buyer→seller purchase edges against
 * the edge's own history, after MIDAS-R (Bhatia et al., "MIDAS: Microcluster-Based Detector of
 * Anomalies in Edge Streams", AAAI 2020). Per seller, the key is the buyer: for each PLACED order
 * it compares the edge's decayed current count `a` with its total count `s` over `t` ticks using
 * MIDAS's chi-squared score (a − s/t)² · t² / (s · (t − 1)). Constant time and memory per event.
 *
 * One deliberate change from the paper: the current counts live in a space-saving top-k and the
 * score uses the *guaranteed* count (count − error), not a count-min estimate. With a count-min
 * sketch of a few dozen cells, a flash sale of hundreds of distinct buyers fills every cell and
 * each buyer's single order looks like a repeated edge; the guaranteed count stays at 1 for them.
 * Totals stay in a count-min sketch (conservative update), whose over-counts only lower the
 * score. A score also needs `a ≥ minEdgeCount`: a first order from a new buyer scores t − 1 by
 * the formula and would otherwise fire on every new customer of an old seller.
 *
 * The seller's total edge rate gets the same MIDAS-R score. A burst of it alone is what a flash
 * sale looks like, so it stands for a campaign only when it recurs: `minRecurrences` separate
 * bursts within `recurrenceMs` (campaigns that push a batch of fake orders every other day), and
 * only when no buyer edge burst is reported for the same bucket. A single burst is reported for a
 * day at `singleEpisodeStrength`, too weak to alert alone: it counts only when another family
 * (the burst's buyers being young accounts, say) shows at the same time.
 *
 * The point of fake orders is the fake reviews: a burst's buyers are remembered (fingerprints in a
 * small table, created at the seller's first burst) and their verified 5-star reviews counted.
 * When they review at `recurrenceReviewLift` × the seller's usual 5-star rate per order or more
 * (`reviewLift` for a single episode), that second trait reinforces the recurrence (noisy-OR); a
 * genuine flash sale's buyers review at the usual rate and add nothing.
 */
import { z } from 'zod';
import type { EventKeys, MarketEvent, SellerContext, SellerSignal, SignalFinding } from '../types.js';
import { hash32, hash32b } from '../sketch/hash.js';
import { topkDecay, topkSlot, type TopKBefore, type TopKState } from '../sketch/topk.js';
import { assocCreate, assocExpire, assocFind, assocPayload, assocPut } from '../sketch/assoc.js';
import { appendCapped, appendCappedNumbers, dropFirst, dropFirstNumbers, EMPTY } from '../sketch/lists.js';
import { HOUR_MS, rampStrength } from './hour-counts.js';
import { bulkQuantityField } from './curve.js';
import { countsAdd, countsEstimate, countsFromPairs, countsFromSingles, type Counts } from './sparse-counts.js';

export const configSchema = z.object({
  tickMs: z
    .number()
    .int()
    .min(60_000)
    .default(HOUR_MS)
    .describe("MIDAS tick: the unit of 'current' counts and of history length t, ms. Default 1 h."),
  decay: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('MIDAS-R factor current counts are multiplied by at each tick. Default 0.5 (the paper\'s).'),
  cmsWidth: z
    .number()
    .int()
    .min(4)
    .default(16)
    .describe('Count-min width of the per-seller total edge counts. Default 16: over-counts only lower scores, and planted repeat-buyer bursts score 10× the threshold with it.'),
  cmsDepth: z.number().int().min(1).max(8).default(2).describe('Count-min depth (rows). Default 2.'),
  topK: z
    .number()
    .int()
    .min(1)
    .default(8)
    .describe('Buyers whose current edge counts are tracked (space-saving). Default 8.'),
  minEdgeCount: z
    .number()
    .min(1)
    .default(3)
    .describe('Guaranteed decayed current count of one buyer\'s edges needed before it is scored. Default 3.'),
  scoreThreshold: z
    .number()
    .positive()
    .default(50)
    .describe('MIDAS-R score at which an edge bursts. Default 50 (a new buyer placing 3 orders in a tick at a seller with ≥ 18 ticks of history).'),
  fullScore: z
    .number()
    .positive()
    .default(500)
    .describe('Score at which strength reaches 1 (0.5 at the threshold). Default 500.'),
  horizonMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(7 * 24 * HOUR_MS)
    .describe(
      'Bursting edges seen within this much before a bucket end are reported, ms. Default 7 days: accounts of one seller bursting on different days add up (one busy account alone is a loyal or business customer).',
    ),
  maxEvidence: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe('Most recent bursting edges kept as evidence. Default 32.'),
  bulkQuantity: bulkQuantityField,
  sellerScoreThreshold: z
    .number()
    .positive()
    .default(100)
    .describe("MIDAS-R score of the seller's total edges at which its edge rate bursts. Default 100."),
  minSellerBurstEdges: z
    .number()
    .min(1)
    .default(5)
    .describe(
      'Decayed current edges of the seller needed for a seller-level burst. Default 5: a batch drip-fed at 2–5 orders an hour over a few hours peaks at about twice its hourly rate (decay 0.5), 4.75–5.5 for 13 orders in 4 h; the MIDAS score against the seller\'s own rate and the level test are the main guards, and one episode alone only corroborates.',
    ),
  levelHalfLifeHours: z
    .number()
    .gt(0)
    .default(24)
    .describe(
      "Half-life of the seller's recent edge rate (an hourly EWMA of its orders) that a seller-level burst must also stand out from, hours. Default 24: a shop whose sales climb over days keeps its recent rate close behind, while a batch of fake orders lands on the level of the last day.",
    ),
  levelFactor: z
    .number()
    .min(0)
    .default(10)
    .describe(
      "A seller-level burst also needs its rate (the current tick's edges, or current edges × (1 − decay) when a batch straddles ticks) at levelFactor × the recent rate per tick or more. 0 disables. Default 10: a growing shop's busiest hours reach 3–7× its recent hourly rate (a diurnal peak of about 2×, a day's growth, the spread of a few orders an hour); a batch of fake orders on a shop whose whole day is a fraction of the batch reaches 12× or more.",
    ),
  episodeGapMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(12 * HOUR_MS)
    .describe('Seller-level bursts closer than this are one episode, ms. Default 12 h.'),
  recurrenceMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(7 * 24 * HOUR_MS)
    .describe('Window in which seller-level burst episodes are counted, ms. Default 7 days.'),
  minRecurrences: z
    .number()
    .int()
    .min(2)
    .default(2)
    .describe('Seller-level burst episodes within recurrenceMs needed to report (a one-off flash sale is one). Default 2.'),
  singleEpisodeStrength: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('Strength of one seller-level burst episode (a flash sale is one): enough to corroborate another family, never to alert alone. 0 disables. Default 0.5.'),
  singleEpisodeHorizonMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .default(24 * HOUR_MS)
    .describe("A single episode is reported while its last bursting edge is this recent, ms. Default 24 h."),
  recurrenceMaxStrength: z
    .number()
    .min(0)
    .max(1)
    .default(0.75)
    .describe('Cap of the recurrence alone: a shop running promotions on several days bursts as often as a campaign, so without the review lift (or another family) recurring bursts never alert. Default 0.75.'),
  fullRecurrences: z
    .number()
    .int()
    .min(2)
    .default(4)
    .describe('Episodes at which the seller-level strength reaches 1 (0.5 at minRecurrences). Default 4.'),
  maxEpisodeBuyers: z
    .number()
    .int()
    .min(1)
    .default(16)
    .describe("Buyers of the latest seller-level burst episode kept as evidence. Default 16."),
  burstBuyerSlots: z
    .number()
    .int()
    .min(2)
    .max(4096)
    .refine((n) => (n & (n - 1)) === 0, 'burstBuyerSlots must be a power of two, e.g. 128')
    .default(256)
    .describe('Fingerprint slots remembering buyers of seller-level bursts (oldest of a pair evicted); allocated at the first burst, so only bursting sellers pay for it. Power of two. Default 256 (a flash sale brings up to a few hundred buyers).'),
  burstBuyerMemoryDays: z
    .number()
    .int()
    .min(1)
    .default(21)
    .describe("A burst buyer's review is attributed to the burst for this many days after its order. Default 21 (delivery plus a review days later)."),
  minBurstReviews: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe("Verified 5-star reviews from burst buyers needed before their review rate is judged. Default 5."),
  reviewLift: z
    .number()
    .gt(1)
    .default(4)
    .describe("Burst buyers' 5-star reviews per order at which they count as reviewing far above the seller's usual rate (strength 0.5). Default 4×."),
  fullReviewLift: z
    .number()
    .gt(1)
    .default(8)
    .describe('Lift at which that strength reaches 1. Default 8×.'),
  recurrenceReviewLift: z
    .number()
    .gt(1)
    .default(2.5)
    .describe(
      "Lift at which the burst buyers' reviews count beside a recurrence (strength 0.5; 1 at fullReviewLift scaled alike, 5× by default): the recurrence is already one trait of a campaign (a flash sale is one episode), and a campaign's reviews are still arriving when its orders pass reviewLagDays (delivery, then the review), so recurring batches of the simulator and the world showed 2.6–3.8× where their buyers went on to review most orders. A single episode keeps reviewLift. Default 2.5.",
    ),
  reviewLagDays: z
    .number()
    .min(0)
    .default(3)
    .describe('Days after which a burst order counts as having had time to be delivered and reviewed. Default 3.'),
  fiveStarPrior: z
    .number()
    .gt(0)
    .max(1)
    .default(0.1)
    .describe("Prior 5-star reviews per order: blended into the seller's usual rate, and its floor (marketplaces see 6–15 % of orders reviewed). Default 0.1."),
  fiveStarPriorWeight: z
    .number()
    .min(0)
    .default(20)
    .describe('The prior weighs as this many orders. Default 20.'),
  newSellerBatchTicks: z
    .number()
    .int()
    .min(0)
    .default(6)
    .describe(
      "A seller's first ticks, judged as one batch once newSellerFollowTicks more have passed (MIDAS cannot score a seller with no history, so a farm's batch on a new shop never burst). 0 disables. Default 6: a batch is placed within hours.",
    ),
  newSellerFollowTicks: z
    .number()
    .int()
    .min(1)
    .default(24)
    .describe("Ticks after the first ones whose rate they are judged against. Default 24: a day, so that a shop's daily rhythm evens out."),
  newSellerMinOrders: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe(
      "Orders the first newSellerBatchTicks ticks need to be judged a batch, at levelFactor × the rate of the ticks that follow (at least one order's worth) or more. Default 10: a new shop's first customers (friends, first buyers) come a few a day.",
    ),
});
export type Config = z.infer<typeof configSchema>;

/** One order whose edge burst: time, buyer, order, score, guaranteed current count, total count. */
type Burst = [t: number, buyerId: string, orderId: string, score: number, current: number, total: number];

/**
 * The decayed current edges per buyer are a space-saving top-k whose `keys` and `counts` are the
 * state's own fields (sketch/topk.ts takes the state as its TopKState): no object of their own,
 * and both start as the shared empty list, for every seller. `counts` holds STRIDE numbers per
 * buyer: count, error bound, and the fingerprint (hash32) of the buyer's latest order, by which
 * the burst orders a crossing's buyers placed are remembered, so that only their own reviews
 * count (−1: not known, in a state from before; that buyer is remembered by its fingerprint).
 */
export interface State extends TopKState {
  /**
   * The seller's numbers (indices: NUMBERS), then its total edges per buyer (never decayed, as in
   * MIDAS-R: count-min counters, two to a number, sparse while few: sparse-counts.ts). One array: as fields the
   * numbers took a slot each on every seller and the two rates a box each, and the counters an
   * array of their own. Snapshots before hold them as fields (see SeparateNumbers).
   */
  n: number[];
  /** Bursting edges, the latest maxEvidence; absent until the seller's first (a field on every seller otherwise). */
  bursts?: readonly Burst[];
  /**
   * Start times of seller-level burst episodes (oldest first), the time of the latest bursting
   * edge (absent, or −1, before the first: a time is a boxed double on every state that has the
   * field), its buyers. All absent until the seller's first burst.
   */
  episodes?: readonly number[];
  episodeLast?: number;
  episodeBuyers?: readonly string[];
  /** Burst buyer fingerprint → order minute × 2 + reviewed bit; absent (or null) until the seller's first burst. */
  burstBuyers?: number[] | null;
  /** Time of the latest episode that made minRecurrences within recurrenceMs, and how many it made; absent (−1) before. */
  recurredAt?: number;
  recurredEpisodes?: number;
  /**
   * The first maxEpisodeBuyers distinct buyers of the seller's first newSellerBatchTicks ticks
   * until they are judged (see NUMBERS.early): the evidence, and the sample whose reviews measure
   * the lift (a busy shop new to the engine keeps no more than that for those ticks). Absent in a
   * state saved before.
   */
  earlyBuyers?: readonly string[];
}

/**
 * State.n, indices: the tick of the seller's first edge and of its latest (−1 before any); its
 * decayed current edges and its total edges; its recent rate of ordinary (not seller-level
 * bursting) edges per tick (EWMA, levelHalfLifeHours); its edges in the current tick; its usual
 * rate: verified 5-star reviews and orders outside bursts, not learned within recurrenceMs of a
 * seller-level burst nor burstBuyerMemoryDays of a recurrence (a campaign must not become the
 * seller's normal); the orders in its first newSellerBatchTicks ticks until they are judged (see
 * judgeFirstTicks), −1 after. The counters follow, from HEAD on.
 */
export const NUMBERS = { firstTick: 0, tick: 1, current: 2, total: 3, level: 4, inTick: 5, baseFive: 6, baseOrders: 7, early: 8 } as const;
const FIRST_TICK = NUMBERS.firstTick;
const TICK = NUMBERS.tick;
const CURRENT = NUMBERS.current;
const TOTAL = NUMBERS.total;
const LEVEL = NUMBERS.level;
const IN_TICK = NUMBERS.inTick;
const BASE_FIVE = NUMBERS.baseFive;
const BASE_ORDERS = NUMBERS.baseOrders;
const EARLY = NUMBERS.early;
const HEAD = 9;

/** The fields State.n replaced, as saved before (the optional ones absent in states saved before them). */
export interface SeparateNumbers {
  firstTick: number;
  tick: number;
  /** Count-min counters one to a number, sparse while few (see countsFromSingles). */
  totals?: Counts;
  /** The same counters in an earlier layout: sparse [counter, value] pairs or dense, or a CmsState. */
  total?: readonly number[] | { counts: number[] };
  sellerCurrent: number;
  sellerTotal: number;
  /** Absent in a state saved before it: then started at the seller's mean rate sellerTotal / ticks. */
  sellerLevel?: number;
  /** Absent in a state saved before it: then counted from the next edge. */
  sellerTick?: number;
  baseFive?: number;
  baseOrders?: number;
  /** Absent in a state saved before it: then never judged (−1). */
  early?: number;
}

/** The top-k's fields of earlier layouts, in a state restored from an older snapshot (see upgrade). */
interface EarlierTopK {
  /** The latest orders when counts held two numbers per buyer (older states did not keep them). */
  lastOrders?: number[] | undefined;
  /** The top-k as an object of its own. */
  current?: TopKState | undefined;
}

/** Reads a state restored from a snapshot that held its numbers and counters as fields into State.n. */
function mergeNumbers(state: State, config: Config): void {
  const old = state as Partial<State> & Partial<SeparateNumbers>;
  if (old.n !== undefined) return;
  const tick = old.tick ?? -1;
  const first = old.firstTick ?? -1;
  const total = old.sellerTotal ?? 0;
  // A level absent was started at the next edge at the mean rate of the ticks so far (0 before any).
  const level = old.sellerLevel ?? (tick < 0 ? 0 : total / (tick - first + 1));
  const head = new Array<number>(HEAD);
  head[FIRST_TICK] = first;
  head[TICK] = tick;
  head[CURRENT] = old.sellerCurrent ?? 0;
  head[TOTAL] = total;
  head[LEVEL] = level;
  head[IN_TICK] = old.sellerTick ?? 0;
  head[BASE_FIVE] = old.baseFive ?? 0;
  head[BASE_ORDERS] = old.baseOrders ?? 0;
  head[EARLY] = old.early ?? -1;
  const saved = old.total;
  const n =
    saved !== undefined
      ? countsFromPairs(Array.isArray(saved) ? saved : (saved as { counts: number[] }).counts, config.cmsWidth, config.cmsDepth, head)
      : countsFromSingles(old.totals ?? EMPTY, config.cmsWidth, config.cmsDepth, head);
  state.n = n;
  // Undefined fields stay out of the next snapshot.
  old.firstTick = old.tick = old.totals = old.total = old.sellerCurrent = old.sellerTotal = old.sellerLevel = old.sellerTick = undefined;
  old.baseFive = old.baseOrders = old.early = undefined;
  // Lists then on every seller, empty on nearly all: absent now until the first burst.
  if (old.bursts?.length === 0) old.bursts = undefined;
  if (old.episodes?.length === 0) old.episodes = undefined;
  if (old.episodeBuyers?.length === 0) old.episodeBuyers = undefined;
}

/** Burst buyer table payload: minute × 2 + reviewed bit. */
const PAYLOAD_BITS = 28;
const MINUTE_MS = 60_000;

/** Below this a decayed current count is dropped from the top-k (it could add at most this to a later count). */
const CURRENT_FLOOR = 0.25;

/** Numbers per buyer in the top-k's counts: count, error bound, the buyer's hash32 (for the lookup), latest order fingerprint. */
const STRIDE = 4;

/** The top-k's arrays before an order's decay, for its offer (one object for all orders; cleared after, never kept). */
const before: TopKBefore = { keys: EMPTY as never[], counts: EMPTY as never[], n: 0 };

/** The MIDAS chi-squared score of a current count `a` against a total `s` over `t` ticks. */
export function midasScore(a: number, s: number, t: number): number {
  if (t < 2 || s <= 0) return 0;
  const d = a - s / t;
  return (d * d * t * t) / (s * (t - 1));
}

/** Per-tick factor of the recent level, per config (pow once; the decay itself multiplies repeatedly). */
const levelKeeps = new WeakMap<Config, number>();
function levelKeep(config: Config): number {
  let k = levelKeeps.get(config);
  if (k === undefined) levelKeeps.set(config, (k = 2 ** (-config.tickMs / (config.levelHalfLifeHours * HOUR_MS))));
  return k;
}

function advance(state: State, n: number[], tick: number, config: Config): void {
  if (n[TICK]! < 0) {
    n[FIRST_TICK] = tick;
    n[TICK] = tick;
    n[LEVEL] = 0;
    return;
  }
  const steps = tick - n[TICK]!;
  if (steps <= 0) return;
  n[TICK] = tick;
  stepped(config.decay, steps);
  const f = factor[0]!;
  topkDecay(state, f, CURRENT_FLOOR, STRIDE);
  n[CURRENT] = n[CURRENT]! * f;
  n[IN_TICK] = 0;
  stepped(levelKeep(config), steps);
  n[LEVEL] = n[LEVEL]! * factor[0]!;
}

/** stepped's result: a double returned by a call V8 does not inline is a new heap number, two per order. */
const factor = new Float64Array(1);

/** factor^steps by repeated multiplication rather than pow (bit-identical on every platform), 0 below 1e-9, into `factor`. */
function stepped(base: number, steps: number): void {
  let f = 1;
  for (let i = 0; i < steps && f > 0; i++) f = f * base < 1e-9 ? 0 : f * base;
  factor[0] = f;
}

/**
 * Empties the top-k when the next order's decay, at `tick` or later (events come in time order),
 * drops every buyer anyway: the factor only shrinks with more ticks, so this is the state that
 * order would see, and a seller reviewed after its orders no longer holds its last buyers' id
 * strings and arrays (about 200 B) until then. Called at reviews only: at a close it would change
 * the state of a seller the engine evaluates but not of one it skips as quiet.
 */
function dropDecayedBuyers(state: State, n: readonly number[], tick: number, config: Config): void {
  const keys = state.keys;
  const steps = tick - n[TICK]!;
  if (keys.length === 0 || steps <= 0) return;
  stepped(config.decay, steps);
  const f = factor[0]!;
  const counts = state.counts;
  for (let i = 0; i < keys.length; i++) if (counts[STRIDE * i]! * f >= CURRENT_FLOOR) return;
  state.keys = EMPTY as never[];
  state.counts = EMPTY as never[];
}

/**
 * Whether the seller's edge rate bursts: MIDAS-R against its whole history, and, as a rate, at
 * levelFactor × its recent level with this edge (`add`) counted in. Sales that climb for days (a
 * viral product) burst against the long history every day as the rate keeps rising, but the
 * recent level climbs with them; a batch of fake orders jumps far above the last day's level.
 */
function sellerBursts(n: readonly number[], ticks: number, config: Config, add: number): boolean {
  const current = n[CURRENT]!;
  return (
    current >= config.minSellerBurstEdges &&
    midasScore(current, n[TOTAL]!, ticks) >= config.sellerScoreThreshold &&
    Math.max(current * (1 - config.decay), n[IN_TICK]!) >= config.levelFactor * (n[LEVEL]! + add)
  );
}

/**
 * The recurring seller-level burst finding: while the latest episode is in this bucket's horizon,
 * or, once the bursts are over, while the burst buyers' reviews (which come days later) still
 * arrive at reviewLift × the usual rate, within burstBuyerMemoryDays of the last recurrence.
 */
function sellerLevel(state: State, ctx: SellerContext, config: Config, ticks: number): SignalFinding | null {
  let episodes = 0;
  const last = state.episodeLast ?? -1;
  const eps = state.episodes ?? EMPTY;
  if (last >= ctx.at - config.horizonMs && last < ctx.at)
    for (let i = 0; i < eps.length; i++) if (eps[i]! >= ctx.at - config.recurrenceMs && eps[i]! < ctx.at) episodes++;
  const { lift, burstFive, burstOrders } = reviewLift(state, ctx.at, config);
  const reviews = lift >= config.reviewLift ? rampStrength(lift, config.reviewLift, config.fullReviewLift) : 0;
  // Beside a recurrence the same lift counts from recurrenceReviewLift on, the ramp scaled alike.
  const scaled = (lift * config.reviewLift) / config.recurrenceReviewLift;
  const recurringReviews = scaled >= config.reviewLift ? rampStrength(scaled, config.reviewLift, config.fullReviewLift) : 0;
  const recurredAt = state.recurredAt ?? -1;
  const memoryMs = config.burstBuyerMemoryDays * 24 * HOUR_MS;
  if (episodes < config.minRecurrences) {
    if (recurringReviews === 0 || recurredAt < 0 || recurredAt < ctx.at - memoryMs || recurredAt >= ctx.at) {
      if (config.singleEpisodeStrength === 0) return null;
      // A one-off burst whose buyers then review far above the seller's usual rate is a farm's
      // batch (fake orders exist for their reviews); a flash sale's buyers review as usual.
      if (reviews > 0 && last >= ctx.at - memoryMs && last < ctx.at) return singleEpisode(state, config, ticks, reviews, lift);
      return episodes === 1 && last >= ctx.at - config.singleEpisodeHorizonMs ? singleEpisode(state, config, ticks, 0, 0) : null;
    }
    episodes = state.recurredEpisodes ?? config.minRecurrences;
  }
  const perTick = state.n[TOTAL]! / ticks;
  const buyers = state.episodeBuyers ?? EMPTY;
  const recurrence = Math.min(config.recurrenceMaxStrength, rampStrength(episodes, config.minRecurrences, config.fullRecurrences));
  return {
    name: 'edge_burst',
    family: 'concentration',
    value: episodes,
    threshold: config.minRecurrences,
    // Two independent traits of the same campaign reinforce: 1 − (1 − recurrence)(1 − reviews).
    strength: 1 - (1 - recurrence) * (1 - recurringReviews),
    horizonMs: config.recurrenceMs,
    baseline: Math.round(perTick * 1000) / 1000,
    explanation:
      `the seller's purchase edges burst ${episodes} times in ${config.recurrenceMs / (24 * HOUR_MS)} d ` +
      `(MIDAS-R ≥ ${config.sellerScoreThreshold} on its total rate; now ${state.n[CURRENT]!.toFixed(1)} current vs ` +
      `${perTick.toFixed(2)} per tick), ${buyers.length} buyers in the latest burst` +
      (recurringReviews > 0
        ? `; burst buyers left ${burstFive} five-star reviews on ${burstOrders} burst orders older than ${config.reviewLagDays} d, ${lift.toFixed(1)}× the seller's usual rate (≥ ${config.recurrenceReviewLift}×)`
        : ''),
    evidence: { buyerIds: [...buyers] },
  };
}

/**
 * One seller-level burst episode: in the last singleEpisodeHorizonMs, corroboration only; with its
 * buyers' review lift (`reviews` > 0), reinforced by it (noisy-OR) for burstBuyerMemoryDays.
 */
function singleEpisode(state: State, config: Config, ticks: number, reviews: number, lift: number): SignalFinding {
  const perTick = state.n[TOTAL]! / ticks;
  const buyers = state.episodeBuyers ?? EMPTY;
  return {
    name: 'edge_burst',
    family: 'concentration',
    value: 1,
    threshold: config.minRecurrences,
    strength: 1 - (1 - config.singleEpisodeStrength) * (1 - reviews),
    horizonMs: reviews > 0 ? config.burstBuyerMemoryDays * 24 * HOUR_MS : config.singleEpisodeHorizonMs,
    baseline: Math.round(perTick * 1000) / 1000,
    explanation:
      `the seller's purchase edges burst once (MIDAS-R ≥ ${config.sellerScoreThreshold} on its total rate; now ${state.n[CURRENT]!.toFixed(1)} current vs ` +
      `${perTick.toFixed(2)} per tick), ${buyers.length} buyers` +
      (reviews > 0
        ? `, whose burst orders got 5-star reviews at ${lift.toFixed(1)}× the seller's usual rate (≥ ${config.reviewLift}×)`
        : ': a flash sale looks the same, so this only corroborates'),
    evidence: { buyerIds: [...buyers] },
  };
}

/**
 * Burst buyers' 5-star reviews per burst order (both counted over the remembered orders older than
 * reviewLagDays) over the seller's usual rate; lift 0 until minBurstReviews.
 */
export function reviewLift(state: State, now: number, config: Config): Readonly<{ lift: number; burstFive: number; burstOrders: number }> {
  const table = state.burstBuyers;
  if (table === undefined || table === null) return NO_LIFT;
  // Only burst orders old enough to have been reviewed are judged, both ways: a young order not
  // reviewed yet says nothing, and a young one reviewed already would inflate the rate.
  const matureBefore = Math.floor(now / MINUTE_MS) - config.reviewLagDays * 1440;
  const scale = 2 ** PAYLOAD_BITS;
  let burstOrders = 0;
  let burstFive = 0;
  for (const e of table) {
    if (e < 0) continue;
    const payload = e % scale;
    if (Math.floor(payload / 2) > matureBefore) continue;
    burstOrders++;
    burstFive += payload % 2;
  }
  if (burstFive < config.minBurstReviews) return { lift: 0, burstFive, burstOrders };
  // Never below the prior: on a seller whose customers seldom review, any group of ordinary reviewers
  // (a viral product's buyers) would look like many times its rate.
  const blended = (state.n[BASE_FIVE]! + config.fiveStarPrior * config.fiveStarPriorWeight) / (state.n[BASE_ORDERS]! + config.fiveStarPriorWeight);
  const usual = Math.max(blended, config.fiveStarPrior);
  return { lift: burstFive / burstOrders / usual, burstFive, burstOrders };
}

/** No burst, episode or burst buyer, now or within the horizons (bursts and episodes expire). */
function neverBurst(state: State): boolean {
  return (state.bursts ?? EMPTY).length === 0 && (state.episodes ?? EMPTY).length === 0 && (state.episodeBuyers ?? EMPTY).length === 0 && (state.burstBuyers ?? null) === null;
}

/** A seller that never burst (nearly all): one shared answer instead of an object per evaluation. */
const NO_LIFT = Object.freeze({ lift: 0, burstFive: 0, burstOrders: 0 });

/**
 * Counts a verified 5-star review towards the burst's reviews when it reviews a remembered burst
 * order (or, for a buyer remembered by its fingerprint, is that buyer's first), else towards the
 * usual rate. A loyal customer whose order fell in a burst goes on reviewing its other baskets:
 * those reviews are not the burst order's.
 */
function observeReview(state: State, keys: EventKeys, eventTime: number, config: Config): void {
  const table = state.burstBuyers;
  if (table !== undefined && table !== null) {
    let h = keys.order;
    let at = assocFind(table, h, PAYLOAD_BITS);
    if (at < 0) at = assocFind(table, (h = keys.buyer), PAYLOAD_BITS);
    if (at >= 0) {
      const payload = assocPayload(table, at, PAYLOAD_BITS);
      // One review per burst order; memories past their horizon are ignored even before expire removes them.
      if (payload % 2 === 1 || Math.floor(payload / 2) <= Math.floor(eventTime / MINUTE_MS) - config.burstBuyerMemoryDays * 1440) return;
      assocPut(table, h, payload + 1, PAYLOAD_BITS);
      return;
    }
  }
  if (learnsBaseline(state, eventTime, config)) state.n[BASE_FIVE]!++;
}

/**
 * Whether the usual 5-star rate learns now: not within recurrenceMs of the latest seller-level
 * burst, while it may still recur into a campaign (reviews come days after their orders, so those
 * that follow a burst are largely its buyers', remembered or not: a batch on a seller with no tick
 * history is only judged a day later, see judgeFirstTicks, and the table keeps only the top-k of the crossing), and not within
 * burstBuyerMemoryDays of a recurrence. A one-off burst's seller learns again a week later: a
 * viral product's later traffic is the seller's own again, and an honest shop loses only that week.
 */
function learnsBaseline(state: State, t: number, config: Config): boolean {
  const last = state.episodeLast ?? -1;
  if (last >= 0 && t - last < config.recurrenceMs) return false;
  const at = state.recurredAt ?? -1;
  return at < 0 || t - at >= config.burstBuyerMemoryDays * 24 * HOUR_MS;
}

/**
 * Whether the top-k is in an earlier layout: in `current`, or two numbers per buyer in `counts`. An emptied top-k of two numbers per buyer has
 * nothing to convert; a `lastOrders` left beside it is never read.
 */
function earlier(state: State & EarlierTopK): boolean {
  return state.current !== undefined || state.counts.length !== STRIDE * state.keys.length;
}

/** Reads a top-k restored in an earlier layout into this one. */
function upgrade(state: State & EarlierTopK): void {
  if (state.current !== undefined) {
    state.keys = state.current.keys;
    state.counts = state.current.counts;
    state.current = undefined;
  }
  const n = state.keys.length;
  if (state.counts.length !== STRIDE * n) {
    // Latest orders slot for slot with the keys, when the state kept them (older ones did not).
    const last = state.lastOrders !== undefined && state.lastOrders.length === n ? state.lastOrders : undefined;
    const counts = new Array<number>(STRIDE * n);
    for (let i = 0; i < n; i++) {
      counts[STRIDE * i] = state.counts[2 * i]!;
      counts[STRIDE * i + 1] = state.counts[2 * i + 1]!;
      counts[STRIDE * i + 2] = hash32(state.keys[i]!);
      counts[STRIDE * i + 3] = last !== undefined ? last[i]! : -1;
    }
    state.counts = n === 0 ? (EMPTY as never[]) : counts;
  }
  state.lastOrders = undefined;
}

/** Remembers a burst order, unreviewed, by its order's fingerprint (or, not known, its buyer's). */
function rememberBurst(state: State, h: number, t: number, config: Config): void {
  const table = (state.burstBuyers ??= assocCreate(config.burstBuyerSlots));
  // A key already remembered unreviewed is one burst order, not two (a buyer kept by buyer at two crossings).
  const at = assocFind(table, h, PAYLOAD_BITS);
  if (at >= 0 && assocPayload(table, at, PAYLOAD_BITS) % 2 === 0) return;
  assocPut(table, h, Math.floor(t / MINUTE_MS) * 2, PAYLOAD_BITS);
}

/** Whether the seller's first ticks hold enough orders to be judged a batch once their time comes. */
function batchPending(n: readonly number[], config: Config): boolean {
  return n[EARLY]! >= config.newSellerMinOrders;
}

/**
 * Judges the seller's first ticks once newSellerFollowTicks have followed them (`tick`: the
 * latest the seller has seen, or the close), and lets go of a start too small to be judged once
 * it is over. Orders after the first ticks all came before the judging tick (the first
 * event or close past it judges), so the rate they are judged against never depends on when.
 */
function settleFirstTicks(state: State, n: number[], tick: number, config: Config): void {
  const early = n[EARLY]!;
  if (early < 0 || n[FIRST_TICK]! < 0) return;
  const batchEnd = n[FIRST_TICK]! + config.newSellerBatchTicks;
  if (tick >= batchEnd && early < config.newSellerMinOrders) {
    n[EARLY] = -1;
    state.earlyBuyers = EMPTY;
  } else if (tick >= batchEnd + config.newSellerFollowTicks) judgeFirstTicks(state, n, early, config);
}

/**
 * A batch on a shop with no history. MIDAS cannot score a seller's first ticks (no history, then
 * one made of the batch itself), so a farm's batch on a new shop never burst, however large. Its
 * first ticks are a burst episode when their rate reaches levelFactor × the rate of the ticks that
 * followed (at least one order's worth): a farm's batch is followed by the shop's own trickle. A
 * shop that is only new to the engine (the stream or the service starting) sells at its rate in
 * both, and a flash sale on it is judged as one on a shop with history would be. Like any
 * episode's, the batch's buyers are remembered for their review lift: one episode alone only
 * corroborates.
 */
function judgeFirstTicks(state: State, n: number[], early: number, config: Config): void {
  const buyers = state.earlyBuyers ?? EMPTY;
  n[EARLY] = -1;
  state.earlyBuyers = EMPTY;
  const follow = n[TOTAL]! - early;
  if (early * config.newSellerFollowTicks < config.levelFactor * Math.max(follow, 1) * config.newSellerBatchTicks) return;
  const t = (n[FIRST_TICK]! + config.newSellerBatchTicks) * config.tickMs - 1;
  const latest = addEpisode(state, t, config);
  for (const b of buyers) rememberBurst(state, hash32(b), t, config);
  if (latest) state.episodeBuyers = buyers;
}

/**
 * Adds a seller-level burst episode at `t`, which may be earlier than the latest, in time order,
 * unless one starts within episodeGapMs of it (then it is that one); counts the recurrence it
 * makes. Returns whether it is the latest episode.
 */
function addEpisode(state: State, t: number, config: Config): boolean {
  const eps = state.episodes ?? EMPTY;
  for (let i = 0; i < eps.length; i++) if (Math.abs(eps[i]! - t) <= config.episodeGapMs) return false;
  let at = eps.length;
  while (at > 0 && eps[at - 1]! > t) at--;
  const cap = config.minRecurrences + config.fullRecurrences;
  const all = new Array<number>(eps.length + 1);
  for (let i = 0; i < at; i++) all[i] = eps[i]!;
  all[at] = t;
  for (let i = at; i < eps.length; i++) all[i + 1] = eps[i]!;
  const kept = all.length > cap ? dropFirstNumbers(all, all.length - cap) : all;
  state.episodes = kept;
  const last = kept[kept.length - 1]!;
  state.episodeLast = Math.max(state.episodeLast ?? -1, t);
  let recent = 0;
  for (const e of kept) if (e > last - config.recurrenceMs) recent++;
  if (recent >= config.minRecurrences) {
    state.recurredAt = last;
    state.recurredEpisodes = recent;
  }
  return last === t;
}

/**
 * Offers the buyer to the top-k, keeps its slot's latest order fingerprint, and returns its
 * guaranteed count. `before`: the top-k's arrays before this order's decay (see topkSlot).
 */
function offerBuyer(state: State, buyerId: string, keys: EventKeys, config: Config, before: TopKBefore): number {
  const at = STRIDE * topkSlot(state, buyerId, config.topK, 1, STRIDE, before, keys.buyer);
  const counts = state.counts;
  counts[at + 3] = keys.order;
  return counts[at]! - counts[at + 1]!;
}

export const signal: SellerSignal<State, Config> = {
  name: 'edge_burst',
  family: 'concentration',
  observes: { orders: ['PLACED'], reviews: true },

  create(config) {
    const n = new Array<number>(HEAD).fill(0);
    n[FIRST_TICK] = n[TICK] = -1;
    n[EARLY] = config.newSellerBatchTicks > 0 ? 0 : -1;
    // Bursts are rare: their lists and times are added at the seller's first.
    return { keys: EMPTY as never[], counts: EMPTY as never[], n, earlyBuyers: EMPTY };
  },

  revive(saved, config) {
    const state = saved as State;
    mergeNumbers(state, config);
    if (earlier(state)) upgrade(state);
    return state;
  },

  // An event after which the seller has still never burst leaves it quiet (see quietUntil).
  observe(state, event: MarketEvent, config, keys) {
    let n = state.n;
    if (event.kind === 'review') {
      settleFirstTicks(state, n, Math.max(n[TICK]!, Math.floor(event.eventTime / config.tickMs)), config);
      dropDecayedBuyers(state, n, Math.floor(event.eventTime / config.tickMs), config);
      if (event.rating === 5 && event.orderId !== null) observeReview(state, keys, event.eventTime, config);
      return neverBurst(state);
    }
    if (event.status !== 'PLACED' || event.quantity >= config.bulkQuantity) return neverBurst(state);
    before.keys = state.keys;
    before.counts = state.counts;
    before.n = state.keys.length;
    // Canonical order makes ticks non-decreasing; an older tick simply counts in the current one.
    advance(state, n, Math.floor(event.eventTime / config.tickMs), config);
    settleFirstTicks(state, n, n[TICK]!, config);
    const early = n[EARLY]!;
    if (early >= 0 && n[TICK]! < n[FIRST_TICK]! + config.newSellerBatchTicks) {
      n[EARLY] = early + 1;
      const buyers = state.earlyBuyers ?? EMPTY;
      if (buyers.length < config.maxEpisodeBuyers && !buyers.includes(event.buyerId)) state.earlyBuyers = appendCapped(buyers, event.buyerId, config.maxEpisodeBuyers);
    }
    n[CURRENT] = n[CURRENT]! + 1;
    n[TOTAL] = n[TOTAL]! + 1;
    n[IN_TICK] = n[IN_TICK]! + 1;
    const h1 = keys.buyer;
    const h2 = hash32b(event.buyerId) | 1;
    state.n = n = countsAdd(n, config.cmsWidth, config.cmsDepth, h1, h2, 1, HEAD) as number[];
    const ticks = n[TICK]! - n[FIRST_TICK]! + 1;
    // The level learns only ordinary edges: a batch's own orders must not raise the bar it has to
    // clear (with them counted in, a batch of 50 lost its last quarter of burst orders).
    const add = 1 - levelKeep(config);
    if (sellerBursts(n, ticks, config, add)) {
      const t = event.eventTime;
      const last = state.episodeLast ?? -1;
      let buyers = state.episodeBuyers ?? EMPTY;
      if (last < 0 || t - last > config.episodeGapMs) {
        const episodes = appendCappedNumbers(state.episodes ?? EMPTY, t, config.minRecurrences + config.fullRecurrences);
        state.episodes = episodes;
        buyers = EMPTY;
        // The buyers whose orders made the rate burst are the burst's too.
        for (let i = 0; i < state.keys.length; i++) {
          const k = state.keys[i]!;
          const order = state.counts[STRIDE * i + 3]!;
          rememberBurst(state, order >= 0 ? order : hash32(k), t, config);
          if (buyers.length < config.maxEpisodeBuyers) buyers = appendCapped(buyers, k, config.maxEpisodeBuyers);
        }
        let recent = 0;
        for (const e of episodes) if (e > t - config.recurrenceMs) recent++;
        if (recent >= config.minRecurrences) {
          state.recurredAt = t;
          state.recurredEpisodes = recent;
        }
      }
      state.episodeLast = t;
      rememberBurst(state, keys.order, t, config);
      if (buyers.length < config.maxEpisodeBuyers && !buyers.includes(event.buyerId)) buyers = appendCapped(buyers, event.buyerId, config.maxEpisodeBuyers);
      state.episodeBuyers = buyers;
    } else {
      n[LEVEL] = n[LEVEL]! + add;
      if (learnsBaseline(state, event.eventTime, config)) n[BASE_ORDERS] = n[BASE_ORDERS]! + 1;
    }
    const a = offerBuyer(state, event.buyerId, keys, config, before);
    before.keys = before.counts = EMPTY as never[];
    if (a < config.minEdgeCount) return neverBurst(state) && !batchPending(n, config);
    const s = Math.max(countsEstimate(n, config.cmsWidth, config.cmsDepth, h1, h2, HEAD), a);
    const score = midasScore(a, s, ticks);
    if (score < config.scoreThreshold) return neverBurst(state) && !batchPending(n, config);
    state.bursts = appendCapped(state.bursts ?? EMPTY, [event.eventTime, event.buyerId, event.orderId, score, a, s], config.maxEvidence);
    return false;
  },

  evaluate(state, ctx: SellerContext, config): SignalFinding | null {
    const n = state.n;
    const from = ctx.at - config.horizonMs;
    const bursts = state.bursts ?? EMPTY;
    let best = -1;
    for (let i = 0; i < bursts.length; i++) {
      const b = bursts[i]!;
      if (b[0] < from || b[0] >= ctx.at) continue;
      if (best < 0 || b[3] > bursts[best]![3]) best = i;
    }
    const ticks = n[TICK]! - n[FIRST_TICK]! + 1;
    if (best < 0) return sellerLevel(state, ctx, config, ticks);
    // Evidence lists only when there is a finding: the usual quiet evaluation allocates nothing.
    const buyerIds: string[] = [];
    const orderIds: string[] = [];
    for (const b of bursts) {
      if (b[0] < from || b[0] >= ctx.at) continue;
      orderIds.push(b[2]);
      if (!buyerIds.includes(b[1])) buyerIds.push(b[1]);
    }
    const [, buyer, , score, current, total] = bursts[best]!;
    return {
      name: 'edge_burst',
      family: 'concentration',
      value: Math.round(score * 100) / 100,
      threshold: config.scoreThreshold,
      strength: rampStrength(score, config.scoreThreshold, config.fullScore),
      horizonMs: config.horizonMs,
      baseline: Math.round((total / ticks) * 1000) / 1000,
      explanation:
        `${buyerIds.length} buyer(s) burst: ${buyer} has ${current.toFixed(1)} current orders against ` +
        `${total} in ${ticks} ticks (MIDAS-R score ${score.toFixed(1)} ≥ ${config.scoreThreshold}); ` +
        `seller-wide ${n[CURRENT]!.toFixed(1)} current vs ${(n[TOTAL]! / ticks).toFixed(2)} per tick`,
      evidence: { buyerIds, orderIds },
    };
  },

  // A seller that never burst (nearly all): evaluate reads only bursts, episodes and the burst
  // buyer table, none of which exists, expire has nothing to drop, and nothing decays outside
  // observe, so nothing changes until an event; a start that may be judged a batch wakes the seller
  // when its ticks are due.
  quietUntil(state, at, config) {
    const n = state.n;
    return !neverBurst(state) ? at : batchPending(n, config) ? (n[FIRST_TICK]! + config.newSellerBatchTicks + config.newSellerFollowTicks) * config.tickMs : Infinity;
  },

  expire(state, now, config) {
    // Only a start that may be a batch is judged here (quietUntil wakes it); a smaller one is let go
    // at the seller's next event, so that a quiet seller's state never changes at a close.
    const n = state.n;
    if (batchPending(n, config)) settleFirstTicks(state, n, Math.floor(now / config.tickMs), config);
    const from = now - config.horizonMs;
    const bursts = state.bursts;
    let drop = 0;
    if (bursts !== undefined) while (drop < bursts.length && bursts[drop]![0] < from) drop++;
    if (drop > 0) state.bursts = dropFirst(bursts!, drop);
    const episodes = state.episodes;
    drop = 0;
    if (episodes !== undefined) while (drop < episodes.length && episodes[drop]! < now - config.recurrenceMs) drop++;
    if (drop > 0) state.episodes = dropFirstNumbers(episodes!, drop);
    // The latest burst's buyers stay evidence while its reviews may still be reported (a single
    // episode's too: its buyers' review lift is reported for burstBuyerMemoryDays).
    const memoryMs = config.burstBuyerMemoryDays * 24 * HOUR_MS;
    const keep = Math.max((state.episodeLast ?? -1) + config.recurrenceMs, Math.max(state.episodeLast ?? -1, state.recurredAt ?? -1) + memoryMs);
    if (state.episodeBuyers !== undefined && state.episodeBuyers.length > 0 && keep < now) state.episodeBuyers = EMPTY;
    if (state.burstBuyers !== undefined && state.burstBuyers !== null)
      assocExpire(state.burstBuyers, (Math.floor(now / MINUTE_MS) - config.burstBuyerMemoryDays * 1440 + 1) * 2, PAYLOAD_BITS);
  },
};
