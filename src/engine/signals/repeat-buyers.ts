/**
 * Signal 1, `repeat_buyers` (family concentration): few buyers placing many orders. The
 * industry's simplest rule is orders ÷ distinct buyers ≥ 3 within any hour; this module applies
 * it exactly over a sliding hour and generalises it to two longer horizons:
 *
 * - the current UTC day: orders ÷ distinct buyers (HyperLogLog, exact for small days);
 * - the last `weekDays` days: orders ÷ buyer-days (the sum of each day's distinct buyers). A
 *   loyal customer who orders once a day for weeks adds one order per buyer-day, so steady
 *   loyalty scores 1 however long it lasts, while a few accounts ordering many times a day,
 *   every day, stand out even below the daily threshold.
 *
 * - the reorder lane, the last `weekDays` days of verified reviews: the share of them that are an
 *   account's second or later review at this seller (each on another order). A farm paid to push a
 *   listing or two reorders them on the same accounts for days, one unit a day or two, and reviews
 *   nearly every order, since the review is what it is paid for; a loyal customer reorders just as
 *   steadily but reviews at the ordinary rate, so few of a seller's reviews are repeats; a
 *   corporate buyer buys many units in one order rather than many orders.
 *
 * Orders are counted, never units, and bulk orders (≥ `bulkQuantity` units) not at all: a
 * business buyer splitting a big purchase into several orders is not brushing.
 * Thresholds rise with the seller's own baseline (an EWMA of its daily ratio, or a population
 * prior until it has enough days), capped so a seller cannot brush its way to immunity.
 */
import { z } from 'zod';
import type { OrderEvent, ReviewEvent, SellerContext, SellerSignal, SignalFinding } from '../types.js';
import { HLL_MAX_P, HLL_MIN_P, hllAdd, hllCount } from '../sketch/hll.js';
import { appendCapped, EMPTY } from '../sketch/lists.js';
import { decayKept, evictSlot, topkList, type TopKState } from '../sketch/topk.js';
import { bulkQuantityField, curveFields, round2, strengthOf } from './curve.js';
import { lowOf } from './packed.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Window entries: (event time in s) × 2^21 + 21-bit buyer fingerprint; exact up to 2106 (the contract ends 2100). */
const FP_SCALE = 2 ** 21;
/** Closed days: day × 2^36 + orders × 2^18 + distinct buyers (each capped at 2^18 − 1). */
const DAY_SCALE = 2 ** 36;
const COUNT_SCALE = 2 ** 18;
const COUNT_MAX = COUNT_SCALE - 1;
/** State.win: distinct buyers in the window, the peak window's buyers, its orders (WIN_BITS each). */
const WIN_BITS = 9;
const WIN_MASK = (1 << WIN_BITS) - 1;

function windowBuyers(s: State): number {
  return s.win & WIN_MASK;
}

function peakBuyers(s: State): number {
  return (s.win >>> WIN_BITS) & WIN_MASK;
}

function peakOrders(s: State): number {
  return s.win >>> (2 * WIN_BITS);
}

function setPeak(s: State, orders: number, buyers: number): void {
  s.win = windowBuyers(s) + (buyers << WIN_BITS) + (orders << (2 * WIN_BITS));
}

/** Window length from which it grows in place rather than by an exact-size copy. */
const GROW_IN_PLACE = 8;
/**
 * State.lens: closed days (at most weekDays ≤ 31, 6 bits), the lane's reviews (at most
 * reorderCap ≤ 128, 8 bits from LANE_SHIFT) and the day's exact buyers (at most hllExactCap ≤ 64,
 * from DAY_SHIFT). Snapshots of the layout before hold the first two alone, in the same bits.
 */
const LANE_SHIFT = 6;
const LANE_UNIT = 1 << LANE_SHIFT;
const DAY_SHIFT = 14;

/** Where the top-k's numbers begin in `n`: after the baseline, which a seller has from its first counted day. */
function topStart(s: State): number {
  return s.baseDays > 0 ? 1 : 0;
}

/** Where the closed days begin in `n`: after the top-k's count and error bound per key. */
function pastStart(s: State): number {
  return topStart(s) + 2 * s.keys.length;
}

function pastLength(s: State): number {
  return s.lens & (LANE_UNIT - 1);
}

function laneStart(s: State): number {
  return pastStart(s) + pastLength(s);
}

function laneLength(s: State): number {
  return (s.lens >>> LANE_SHIFT) & ((1 << (DAY_SHIFT - LANE_SHIFT)) - 1);
}

function dayStart(s: State): number {
  return laneStart(s) + laneLength(s);
}

function dayLength(s: State): number {
  return s.lens >>> DAY_SHIFT;
}

/** Where the window begins in `n`: after the baseline, closed days, lane and day's buyers. */
function windowStart(s: State): number {
  return dayStart(s) + dayLength(s);
}

function windowLength(s: State): number {
  return s.n.length - windowStart(s);
}

function setLengths(s: State, past: number, lane: number, day: number): void {
  s.lens = past + LANE_UNIT * lane + (day << DAY_SHIFT);
}

/**
 * Drops the first `drop` numbers of the list at [start, start + len) of `n` and appends `v` to it
 * if given; returns the list's new length (the caller updates `lens`). In place when the length
 * stays (a small seller's window usually swaps its one order for the next, a full one slides by
 * one) or when a busy seller's long window, last in `n`, grows: V8's spare slots are then a small
 * share, and a copy per order is not. Else an exact-size copy: a pushed-to array keeps 16 or more
 * spare slots, and most sellers hold a few numbers.
 */
function edit(s: State, start: number, len: number, drop: number, v?: number): number {
  const n = s.n as number[];
  const added = v === undefined ? 0 : 1;
  if (drop === added) {
    if (drop === 0) return len;
    for (let i = start; i < start + len - 1; i++) n[i] = n[i + 1]!;
    n[start + len - 1] = v!;
    return len;
  }
  if (drop === 0 && start + len === n.length && len >= GROW_IN_PLACE) {
    n.push(v!);
    return len + 1;
  }
  const total = n.length - drop + added;
  if (total === 0) {
    s.n = EMPTY;
    return 0;
  }
  const out = new Array<number>(total);
  let o = 0;
  for (let i = 0; i < start; i++) out[o++] = n[i]!;
  for (let i = start + drop; i < start + len; i++) out[o++] = n[i]!;
  if (v !== undefined) out[o++] = v;
  for (let i = start + len; i < n.length; i++) out[o++] = n[i]!;
  s.n = out;
  return len - drop + added;
}

export const configSchema = z.object({
  windowMs: z.number().int().min(60_000).default(HOUR_MS).describe('Length of the sliding window of the exact rule, ms. Default 1 h.'),
  hourRatio: z.number().gt(1).default(3).describe('Orders ÷ distinct buyers within any window that fires (the industry rule). Default 3.'),
  hourMinOrders: z.number().int().min(2).default(3).describe('Orders a window needs before its ratio counts. Default 3.'),
  bulkQuantity: bulkQuantityField,
  windowCap: z
    .number()
    .int()
    .min(4)
    .max(256)
    .default(32)
    .describe('Most orders kept in the sliding window; beyond it the oldest leave early (a huge hour is judged on its latest orders). Default 32.'),
  dayRatio: z.number().gt(1).default(3).describe('Orders ÷ distinct buyers over the current UTC day that fires. Default 3.'),
  dayMinOrders: z.number().int().min(2).default(6).describe('Orders the day needs before its ratio counts. Default 6.'),
  weekRatio: z.number().gt(1).default(2).describe('Orders ÷ buyer-days over the last weekDays days that fires. Default 2.'),
  weekMinOrders: z.number().int().min(2).default(20).describe('Orders the week needs before its ratio counts. Default 20.'),
  weekDays: z.number().int().min(2).max(31).default(7).describe('Days in the long horizon, today included. Default 7.'),
  reorderShare: z
    .number()
    .gt(0)
    .max(1)
    .default(0.35)
    .describe("Share of the last weekDays days' verified reviews that are an account's repeat review at this seller (each on another order) that fires. Default 0.35."),
  reorderMinAccounts: z.number().int().min(2).default(2).describe('Accounts with such repeat reviews the reorder lane needs (a farm runs several). Default 2.'),
  reorderMinRepeats: z
    .number()
    .int()
    .min(2)
    .default(3)
    .describe('Repeat reviews the reorder lane needs in all: two loyal customers each reviewing a second basket in a week happen by chance, a farm reorders again and again. Default 3.'),
  reorderOrderShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.1)
    .describe(
      "Repeat reviews the reorder lane needs as a share of the seller's orders over the same days: a farm's reviewed reorders are a visible part of a shop's sales, a few regulars' reviews of a second basket at a busy grocery are a sliver of them. Default 0.1.",
    ),
  reorderCap: z
    .number()
    .int()
    .min(4)
    .max(128)
    .default(32)
    .describe("Most reviews kept for the reorder lane; beyond it the oldest leave early (a busy seller's share is judged on its latest reviews). Default 32."),
  reorderStrengthAtThreshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe('Strength of the reorder lane at its threshold, rising to 1 at `saturation` × it: several accounts reviewing one listing again and again may alert alone. Default 0.8.'),
  hllPrecision: z.number().int().min(HLL_MIN_P).max(HLL_MAX_P).default(6).describe("HyperLogLog precision p of a day's distinct buyers (2^p registers, ≈1.04/√2^p error). Default 6."),
  hllExactCap: z.number().int().min(0).max(64).default(16).describe('Distinct buyers per day counted exactly before switching to HyperLogLog. Default 16.'),
  topBuyers: z.number().int().min(1).max(16).default(3).describe('Heavy buyers tracked (space-saving top-k, halved daily) for evidence. Default 3.'),
  sampleOrders: z.number().int().min(1).max(16).default(3).describe('Order ids (and buyers) of repeat orders kept as evidence. Default 3.'),
  baselineAlpha: z.number().gt(0).max(1).default(0.1).describe("EWMA weight of each closed day in the seller's baseline daily ratio. Default 0.1."),
  baselineMinDays: z.number().int().min(1).default(3).describe('Closed days with orders before the seller\'s own baseline replaces the population prior. Default 3.'),
  populationRatio: z.number().min(1).default(1.1).describe('Population prior of the daily ratio, used for sellers with too little history. Default 1.1.'),
  baselineFactor: z.number().min(1).default(2).describe('A threshold rises to baselineFactor × baseline when that is higher. Default 2.'),
  maxBaselineLift: z.number().min(1).default(3).describe('…but never beyond maxBaselineLift × its configured value. Default 3.'),
  hourWeight: z.number().min(0).max(1).default(1).describe('Strength multiplier of the hour horizon. Default 1.'),
  dayWeight: z.number().min(0).max(1).default(0.8).describe('Strength multiplier of the day horizon. Default 0.8.'),
  weekWeight: z.number().min(0).max(1).default(0.6).describe('Strength multiplier of the week horizon (slow patterns are weaker evidence). Default 0.6.'),
  ...curveFields,
});
export type Config = z.infer<typeof configSchema>;

/**
 * Lists are exact-size and replaced rather than pushed to, and the window keeps fingerprints, not
 * strings: a small seller's state must stay a few hundred bytes (see bench/signals-1-5.ts).
 */
export interface State {
  /**
   * The seller's numbers in one array: its baseline (the EWMA of its daily ratio, once baseDays >
   * 0), the heavy buyers' counts and error bounds (two per key of `keys`), then lists of packed
   * numbers, each oldest first: the closed days (see DAY_SCALE), the
   * reorder lane's reviews (see rv below), the day's distinct buyers while counted exactly (32-bit
   * hashes, unordered), then the sliding window, one per PLACED order (see FP_SCALE). One array
   * costs a seller one array's headers (48 bytes) where five cost five, and the baseline, a
   * fraction, would be a 16-byte box as a field; `lens` holds the lists' lengths but the window's
   * (see LANE_UNIT), the window is the rest. Snapshots before hold the baseline as `base` and the
   * day's buyers in `dayBuyers` (see fromSeparateFields), older ones the lists as the fields `past`,
   * `rv` and `w` (see upgrade).
   */
  n: readonly number[];
  lens: number;
  /**
   * Distinct buyers in the window, then the orders and distinct buyers of the window with the
   * highest ratio since the last evaluation, WIN_BITS each (all at most windowCap ≤ 256): one
   * small-integer field where three cost 16 bytes more on every seller. The ratio itself is
   * recomputed (snapshots before hold it as `peak`, unused). Snapshots before hold the three as
   * `wu`, `peakN` and `peakU` (see fromSeparateFields).
   */
  win: number;
  /**
   * The evidence lists in one, nearly always the shared empty list: the sample's length +
   * HOT_UNIT × the hot buyers' count, then the sample (the latest orders of buyers with ≥ 2 orders
   * today; slides in place once full, findings get a copy), then the repeat buyers and their orders
   * placed while the window was over the threshold, since the last evaluation. One field where
   * three cost 16 bytes more on every seller. Snapshots before hold the lists as `sample`,
   * `hotBuyers` and `hotOrders` (see evidenceTogether).
   */
  evidence: readonly (number | string)[];
  /** The current UTC day (index), its orders, and its distinct buyers' HyperLogLog once over hllExactCap (null before: they are in `n`). */
  day: number;
  dayOrders: number;
  dayBuyers: string | null;
  /**
   * The heavy buyers' keys of the top-k (sketch/topk.ts's space-saving, kept here: see offer), their
   * counts and error bounds in `n`: their own array cost 48 bytes on nearly every seller.
   * Snapshots before hold the numbers as `counts` (see countsIntoN), older ones both as `top`.
   */
  keys: string[];
  /** Closed days with ≥ 2 orders so far, each folded into the baseline (n[0] once there is one). */
  baseDays: number;
  /*
   * The reorder lane (rv, in `n`): one packed number per verified review of the last weekDays days
   * (time in s × 2^21 + 21-bit fingerprint of the buyer), oldest first, at most reorderCap.
   * Snapshots before the lane lack it and `reps` (see upgrade); those before step 45 fingerprint
   * buyer and listing, which no new review matches, so their entries count as singles until they
   * leave within a week.
   */
  /**
   * The latest repeat reviews (an account's second or later here), oldest first: its buyer's
   * fingerprint, buyer id and review id, REP items each. One list where three aligned ones cost
   * two more fields on every seller, though nearly all of them hold none. Snapshots before hold
   * them as the three lists `rvf`, `rvb` and `rvr` (see upgrade).
   */
  reps: readonly (number | string)[];
}

/** Items per repeat reviewer in State.reps. */
const REP = 3;

/** Repeat reviewers in the lane. */
function repeaters(s: State): number {
  return s.reps.length / REP;
}

export const signal: SellerSignal<State, Config> = {
  name: 'repeat_buyers',
  family: 'concentration',
  observes: { orders: ['PLACED'], reviews: true },
  create: () => ({
    n: EMPTY,
    lens: 0,
    win: 0,
    evidence: EMPTY,
    day: -1,
    dayOrders: 0,
    dayBuyers: null,
    // The shared empty list (offer replaces it, never writes into it): a fresh empty array per
    // seller was garbage at its first order.
    keys: EMPTY as never[],
    baseDays: 0,
    reps: EMPTY,
  }),
  revive(saved) {
    const s = saved as State;
    upgrade(s);
    return s;
  },
  // An order that leaves the window, the day and the week under their minimum orders leaves a
  // quiet period on: every strength stays 0, the window peak and hot lists stay as evaluate left
  // them, and the new window entry expires after the quiet period (see quietUntil).
  observe(s, e, c, keys) {
    if (e.kind === 'review') return observeReview(s, e, c, keys.buyer);
    if (e.status !== 'PLACED' || e.quantity >= c.bulkQuantity) return true;
    observeOrder(s, e, c, keys.buyer);
    return windowLength(s) < c.hourMinOrders && s.dayOrders < c.dayMinOrders && weekOrders(s, s.day, c) < c.weekMinOrders;
  },
  evaluate,
  // Drops only what is older than the long horizon: rolling a stale day here leaves the same
  // state as the next order would, so when the core calls this cannot change any finding.
  expire(s, now, c) {
    const day = Math.floor(now / DAY_MS);
    if (s.day >= 0 && s.day <= day - c.weekDays) rollTo(s, day, c);
    const drop = leaving(s, Math.floor((now - c.weekDays * DAY_MS) / 1000), c.windowCap + 1);
    if (drop > 0) edit(s, windowStart(s), windowLength(s), drop);
    expireReviews(s, now, c);
  },
  // Without new events nothing moves until a day changes (evaluate's day is that of at − 1,
  // expire's that of at) or the window's oldest order or the lane's oldest review turns a week old
  // (expire drops it). The reorder lane's share can rise as its single reviews leave, so while it
  // names enough repeat reviewers it is evaluated every time; expiry never adds one.
  quietUntil(s, at, c) {
    if (windowLength(s) > c.windowCap || repeaters(s) >= c.reorderMinAccounts) return at;
    let until = Math.min((Math.floor((at - 1) / DAY_MS) + 1) * DAY_MS + 1, (Math.floor(at / DAY_MS) + 1) * DAY_MS);
    if (windowLength(s) > 0) until = Math.min(until, (Math.floor(s.n[windowStart(s)]! / FP_SCALE) + 1) * 1000 + c.weekDays * DAY_MS);
    if (laneLength(s) > 0) until = Math.min(until, (Math.floor(s.n[laneStart(s)]! / FP_SCALE) + 1) * 1000 + c.weekDays * DAY_MS);
    return until;
  },
};

/** The heavy buyers' top-k as snapshots before it was flattened into the state hold it. */
interface SeparateTop {
  top?: TopKState | undefined;
}

/** The lists of `n` and `reps` as separate fields, as snapshots before they were merged hold them. */
export interface SeparateLists {
  w?: readonly number[] | undefined;
  past?: readonly number[] | undefined;
  rv?: readonly number[] | undefined;
  rvf?: readonly number[] | undefined;
  rvb?: readonly string[] | undefined;
  rvr?: readonly string[] | undefined;
}

/** The lists of `n` and `reps` as separate arrays, the layout of snapshots before they were merged. */
export function separateLists(s: State): Required<{ [K in keyof SeparateLists]: NonNullable<SeparateLists[K]> }> {
  const of = <T>(j: number) => s.reps.filter((_, i) => i % REP === j) as T[];
  return {
    past: s.n.slice(pastStart(s), laneStart(s)),
    rv: s.n.slice(laneStart(s), dayStart(s)),
    w: s.n.slice(windowStart(s)),
    rvf: of<number>(0),
    rvb: of<string>(1),
    rvr: of<string>(2),
  };
}

/** The baseline, the day's buyers and the window's counts as fields, as snapshots before they moved into `n` and `win` hold them. */
export interface SeparateFields {
  base?: number | undefined;
  dayBuyers: number[] | string;
  wu?: number | undefined;
  peakN?: number | undefined;
  peakU?: number | undefined;
  /** The peak window's ratio, recomputed from the two above since: never read. */
  peak?: number | undefined;
}

/** The top-k's counts and error bounds as a field, as snapshots before they moved into `n` hold them. */
export interface SeparateCounts {
  counts?: number[] | undefined;
}

/** The evidence lists as fields, as snapshots before they were merged into `evidence` hold them. */
export interface SeparateEvidence {
  sample?: readonly string[] | undefined;
  hotBuyers?: readonly string[] | undefined;
  hotOrders?: readonly string[] | undefined;
}

/** A state in the layout of snapshots before the top-k's numbers moved into `n` and the evidence lists into `evidence` (a copy). */
export function separateParts(s: State): Omit<State, 'evidence'> & Required<SeparateCounts & SeparateEvidence> {
  const { evidence: _evidence, ...copy } = JSON.parse(JSON.stringify(s)) as State;
  const at = topStart(s);
  const end = pastStart(s);
  return { ...copy, ...evidenceLists(s.evidence), n: end === at ? copy.n : [...s.n.slice(0, at), ...s.n.slice(end)], counts: s.n.slice(at, end) };
}

/** A state in the layout of snapshots before the baseline and the day's buyers moved into `n`, the window's counts into `win` (a copy). */
export function separateFields(s: State): Omit<State, 'dayBuyers' | 'win' | 'evidence'> & SeparateFields & Required<SeparateCounts & SeparateEvidence> {
  const { past, rv, w } = separateLists(s);
  const { win: _win, ...rest } = separateParts(s);
  return {
    ...rest,
    n: [...past, ...rv, ...w],
    lens: past.length + LANE_UNIT * rv.length,
    base: s.baseDays > 0 ? s.n[0]! : 0,
    dayBuyers: s.dayBuyers ?? s.n.slice(dayStart(s), windowStart(s)),
    wu: windowBuyers(s),
    peakN: peakOrders(s),
    peakU: peakBuyers(s),
  };
}

/**
 * A state restored from an older snapshot gets its separate lists merged into `n` and `reps`, its
 * top-k's arrays as its own fields, the reorder lane empty if it predates the lane (it starts
 * at the next review), and its baseline and exactly counted day's buyers moved into `n`.
 * Undefined fields stay out of the next snapshot.
 */
function upgrade(s: State & SeparateTop): void {
  const old = s as State & SeparateLists;
  if ((s as Partial<State>).n === undefined) {
    const past = old.past ?? EMPTY;
    const rv = old.rv ?? EMPTY;
    const w = old.w ?? EMPTY;
    s.n = past.length + rv.length + w.length === 0 ? EMPTY : [...past, ...rv, ...w];
    s.lens = past.length + LANE_UNIT * rv.length;
    old.past = old.rv = old.w = undefined;
  }
  if ((s as Partial<State>).reps === undefined) {
    const fps = old.rvf ?? EMPTY;
    const reps = new Array<number | string>(REP * fps.length);
    for (let i = 0; i < fps.length; i++) {
      reps[REP * i] = fps[i]!;
      reps[REP * i + 1] = old.rvb![i]!;
      reps[REP * i + 2] = old.rvr![i]!;
    }
    s.reps = fps.length === 0 ? EMPTY : reps;
    old.rvf = old.rvb = old.rvr = undefined;
  }
  if (s.top !== undefined) upgradeTop(s);
  if ((s as SeparateFields).base !== undefined) fromSeparateFields(s);
  if ((s as SeparateFields).peak !== undefined) (s as SeparateFields).peak = undefined;
  if ((s as SeparateCounts).counts !== undefined) countsIntoN(s);
  if ((s as Partial<State>).evidence === undefined) evidenceTogether(s);
}

/** Merges the evidence lists of a state saved with them as fields into `evidence`. */
function evidenceTogether(s: State): void {
  const old = s as State & SeparateEvidence;
  s.evidence = evidenceOf(old.sample ?? EMPTY, old.hotBuyers ?? EMPTY, old.hotOrders ?? EMPTY);
  old.sample = old.hotBuyers = old.hotOrders = undefined;
}

/** Moves the top-k's counts and error bounds of a state saved with them as `counts` into `n`, after the baseline. */
function countsIntoN(s: State): void {
  const old = s as State & SeparateCounts;
  const counts = old.counts!;
  if (counts.length > 0) {
    const at = topStart(s);
    s.n = [...s.n.slice(0, at), ...counts, ...s.n.slice(at)];
  }
  old.counts = undefined;
}

/**
 * Moves the baseline of a state saved with it as `base` to the head of `n`, its exactly counted
 * day's buyers before the window, and its window's counts into `win`.
 */
function fromSeparateFields(s: State): void {
  const old = s as Omit<State, 'dayBuyers'> & SeparateFields;
  const past = pastLength(s);
  const lane = laneLength(s);
  const exact = typeof old.dayBuyers === 'string' ? EMPTY : old.dayBuyers;
  const n = [...(s.baseDays > 0 ? [old.base!] : EMPTY), ...s.n.slice(0, past + lane), ...exact, ...s.n.slice(past + lane)];
  s.n = n.length === 0 ? EMPTY : n;
  setLengths(s, past, lane, exact.length);
  s.dayBuyers = typeof old.dayBuyers === 'string' ? old.dayBuyers : null;
  s.win = old.wu ?? 0;
  setPeak(s, old.peakN ?? 0, old.peakU ?? 0);
  old.base = old.wu = old.peakN = old.peakU = undefined;
}

function upgradeTop(s: State & SeparateTop): void {
  s.keys = s.top!.keys;
  (s as SeparateCounts).counts = s.top!.counts;
  s.top = undefined;
}

function observeOrder(s: State, e: OrderEvent, c: Config, h: number): void {
  const t = e.eventTime;
  const day = Math.floor(t / DAY_MS);
  if (day > s.day) rollTo(s, day, c);
  s.dayOrders++;
  const buyer = newDayBuyer(s, h, c);
  const keys = s.keys;
  const slot = keys.indexOf(e.buyerId);
  // A key new to a top-k not yet full: its numbers (1, 0) go into `n` with the order's other
  // changes below, in one copy where each made its own; a count of 1 names no sample.
  const grows = slot < 0 && keys.length < c.topBuyers;
  if (!grows) {
    // Only a buyer with two orders of its own: one that took an evicted slot starts at that one's
    // count + 1, and naming it would make one heavy buyer look like two (singleFamilyMinBuyers).
    const top = topStart(s) + 2 * offer(s, slot, e.buyerId);
    if (s.n[top]! >= 2 && s.n[top]! - s.n[top + 1]! >= 2) addSample(s, e.orderId, c.sampleOrders);
  }

  const fp = h >>> 11;
  const from = Math.floor((t - c.windowMs) / 1000);
  const drop = leaving(s, from, c.windowCap);
  let mine = 1;
  let fresh = true;
  const start = windowStart(s);
  const end = s.n.length;
  for (let i = start + drop; i < end; i++) {
    if (lowOf(s.n[i]!, FP_SCALE) === fp) {
      mine++;
      fresh = false;
    }
  }
  const n = applyOrder(s, grows ? pastStart(s) : -1, buyer ? h : null, start, end - start, drop, Math.floor(t / 1000), fp);
  if (grows) s.keys = withKey(keys, e.buyerId);
  if (fresh) s.win++;

  if (n < c.hourMinOrders) return;
  const wu = windowBuyers(s);
  if (n / wu > (peakBuyers(s) > 0 ? peakOrders(s) / peakBuyers(s) : 0)) setPeak(s, n, wu);
  // Evidence is copied only while the window is over the threshold, which is rare.
  if (mine >= 2 && n >= c.hourRatio * wu) {
    const { sample, hotBuyers, hotOrders } = evidenceLists(s.evidence);
    s.evidence = evidenceOf(sample, hotBuyers.indexOf(e.buyerId) < 0 ? appendCapped(hotBuyers, e.buyerId, c.sampleOrders) : hotBuyers, appendCapped(hotOrders, e.orderId, c.sampleOrders));
  }
}

/**
 * Adds a verified review to the reorder lane; a review by an account that already reviewed here
 * within the lane is recorded as a repeat, whatever the listing: a farm often pushes two listings
 * of a shop and its accounts alternate between them. Returns true while the lane holds fewer
 * repeat reviewers than it needs (it cannot fire then).
 */
function observeReview(s: State, e: ReviewEvent, c: Config, buyer: number): boolean {
  if (e.orderId === null) return repeaters(s) < c.reorderMinAccounts;
  const fp = buyer >>> 11;
  const start = laneStart(s);
  const len = laneLength(s);
  // The stale reviews leave, and the oldest one too when the lane is full.
  const drop = Math.max(stale(s, e.eventTime, c), len - c.reorderCap + 1);
  let repeat = false;
  for (let i = start + drop; i < start + len && !repeat; i++) repeat = lowOf(s.n[i]!, FP_SCALE) === fp;
  setLengths(s, pastLength(s), edit(s, start, len, drop, Math.floor(e.eventTime / 1000) * FP_SCALE + fp), dayLength(s));
  if (repeat) {
    // One account is named (and counted) once, whatever it repeats: its entry moves to the end with
    // its latest review, and the oldest reviewers leave beyond the cap. One pass, in place when the
    // length stays (the account was named already, or the list is full): no copy, no closure.
    const reps = s.reps;
    let kept = 0;
    for (let i = 0; i < reps.length; i += REP) if (reps[i + 1] !== e.buyerId) kept += REP;
    const cap = Math.max(c.sampleOrders, c.reorderMinAccounts);
    const skip = Math.max(0, kept - REP * (cap - 1));
    const out = kept - skip + REP === reps.length ? (reps as (number | string)[]) : new Array<number | string>(kept - skip + REP);
    let o = 0;
    let k = 0;
    for (let i = 0; i < reps.length; i += REP) {
      if (reps[i + 1] === e.buyerId) continue;
      if (k >= skip) for (let j = 0; j < REP; j++) out[o++] = reps[i + j]!;
      k += REP;
    }
    out[o] = fp;
    out[o + 1] = e.buyerId;
    out[o + 2] = e.reviewId;
    s.reps = out;
  }
  return repeaters(s) < c.reorderMinAccounts;
}

/** Drops the lane's reviews older than weekDays days, and the repeat reviewers no longer repeated in it. */
function expireReviews(s: State, now: number, c: Config): void {
  const drop = stale(s, now, c);
  if (drop === 0) return;
  setLengths(s, pastLength(s), edit(s, laneStart(s), laneLength(s), drop), dayLength(s));
  if (s.reps.length === 0) return;
  // The reviewers still repeated are counted first: most expiries keep them all, and copy nothing.
  const reps = s.reps;
  let n = 0;
  for (let i = 0; i < reps.length; i += REP) if (occurrences(s, reps[i] as number) >= 2) n += REP;
  if (n === reps.length) return;
  if (n === 0) {
    s.reps = EMPTY;
    return;
  }
  const out = new Array<number | string>(n);
  let o = 0;
  for (let i = 0; i < reps.length; i += REP) if (occurrences(s, reps[i] as number) >= 2) for (let j = 0; j < REP; j++) out[o++] = reps[i + j]!;
  s.reps = out;
}

/** How many of the lane's reviews, oldest first, are more than weekDays days before `t`. */
function stale(s: State, t: number, c: Config): number {
  const from = Math.floor((t - c.weekDays * DAY_MS) / 1000);
  const start = laneStart(s);
  const len = laneLength(s);
  let drop = 0;
  while (drop < len && Math.floor(s.n[start + drop]! / FP_SCALE) < from) drop++;
  return drop;
}

/** The lane's reviews by the account of fingerprint `fp`. */
function occurrences(s: State, fp: number): number {
  const end = dayStart(s);
  let n = 0;
  for (let i = laneStart(s); i < end; i++) if (lowOf(s.n[i]!, FP_SCALE) === fp) n++;
  return n;
}

/** Repeat reviews in the lane: each account's reviews beyond its first. */
function repeatReviews(s: State): number {
  const start = laneStart(s);
  const end = dayStart(s);
  let n = 0;
  for (let i = start + 1; i < end; i++) {
    const fp = lowOf(s.n[i]!, FP_SCALE);
    for (let j = start; j < i; j++) {
      if (lowOf(s.n[j]!, FP_SCALE) === fp) {
        n++;
        break;
      }
    }
  }
  return n;
}

/** Orders of the last weekDays days up to `today`, as evaluate counts them on that day. */
function weekOrders(s: State, today: number, c: Config): number {
  let n = s.day >= today ? s.dayOrders : 0;
  const end = laneStart(s);
  for (let i = pastStart(s); i < end; i++) {
    const packed = s.n[i]!;
    if (Math.floor(packed / DAY_SCALE) > today - c.weekDays) n += lowOf(Math.floor(packed / COUNT_SCALE), COUNT_SCALE);
  }
  return n;
}

/**
 * How many of the oldest window entries leave before an order at a time whose window starts at
 * `from` (seconds) is added, keeping at most `cap` entries; updates the distinct-buyer count.
 */
function leaving(s: State, from: number, cap: number): number {
  const start = windowStart(s);
  const len = s.n.length - start;
  let drop = 0;
  while (drop < len && (Math.floor(s.n[start + drop]! / FP_SCALE) < from || len - drop >= cap)) {
    const fp = lowOf(s.n[start + drop]!, FP_SCALE);
    drop++;
    let still = false;
    for (let i = start + drop; i < start + len && !still; i++) still = lowOf(s.n[i]!, FP_SCALE) === fp;
    if (!still) s.win--;
  }
  return drop;
}

/**
 * Counts `key`, at `slot` of `keys` (−1: absent), once more in the heavy buyers' full top-k and
 * returns its slot: sketch/topk.ts's topkSlot (space-saving, ties broken by key, two numbers per
 * key) on `keys` and the numbers in `n`, whose growth that module cannot do (its eviction rule,
 * evictSlot, it can). A top-k not yet full grows by applyOrder and withKey instead.
 */
function offer(s: State, slot: number, key: string): number {
  const at = topStart(s);
  const n = s.n as number[];
  if (slot >= 0) {
    n[at + 2 * slot] = n[at + 2 * slot]! + 1;
    return slot;
  }
  const keys = s.keys;
  const victim = evictSlot(keys, n, at, 2);
  const floor = n[at + 2 * victim]!;
  keys[victim] = key;
  n[at + 2 * victim] = floor + 1;
  n[at + 2 * victim + 1] = floor;
  return victim;
}

/** An exact-size copy of `keys` with `key` appended, as topkSlot grows a top-k not yet full. */
function withKey(keys: readonly string[], key: string): string[] {
  const out = new Array<string>(keys.length + 1);
  for (let j = 0; j < keys.length; j++) out[j] = keys[j]!;
  out[keys.length] = key;
  return out;
}

/**
 * sketch/topk.ts's topkDecay on the top-k in `n` (its decayKept): the dropped keys' numbers leave by
 * an exact-size copy of `n`; `keys` shrinks in place, or becomes the shared empty list.
 */
function decay(s: State, factor: number, floor: number): void {
  const keys = s.keys;
  const at = topStart(s);
  const w = decayKept(keys, s.n as number[], at, 2, factor, floor);
  const k = keys.length;
  if (w === k) return;
  edit(s, at + 2 * w, 2 * (k - w), 2 * (k - w));
  if (w === 0) s.keys = EMPTY as never[];
  else keys.length = w;
}

/** State.evidence: the sample's length plus this times the hot buyers' (sampleOrders ≤ 16 bounds both). */
const HOT_UNIT = 32;

function sampleLength(ev: readonly (number | string)[]): number {
  return ev.length === 0 ? 0 : (ev[0] as number) % HOT_UNIT;
}

/** The three lists of State.evidence, as copies. */
function evidenceLists(ev: readonly (number | string)[]): { sample: string[]; hotBuyers: string[]; hotOrders: string[] } {
  const samples = 1 + sampleLength(ev);
  const buyers = samples + (ev.length === 0 ? 0 : Math.floor((ev[0] as number) / HOT_UNIT));
  return { sample: ev.slice(1, samples) as string[], hotBuyers: ev.slice(samples, buyers) as string[], hotOrders: ev.slice(buyers) as string[] };
}

/** State.evidence holding these lists (a new exact-size list), or the shared empty list. */
function evidenceOf(sample: readonly string[], hotBuyers: readonly string[], hotOrders: readonly string[]): readonly (number | string)[] {
  if (sample.length + hotBuyers.length + hotOrders.length === 0) return EMPTY;
  const out = new Array<number | string>(1 + sample.length + hotBuyers.length + hotOrders.length);
  out[0] = sample.length + HOT_UNIT * hotBuyers.length;
  let o = 1;
  for (let i = 0; i < sample.length; i++) out[o++] = sample[i]!;
  for (let i = 0; i < hotBuyers.length; i++) out[o++] = hotBuyers[i]!;
  for (let i = 0; i < hotOrders.length; i++) out[o++] = hotOrders[i]!;
  return out;
}

/** sketch/lists.ts's appendCappedOwned for the sample in State.evidence: a full sample slides in place. */
function addSample(s: State, order: string, cap: number): void {
  const ev = s.evidence;
  if (sampleLength(ev) === cap) {
    const l = ev as (number | string)[];
    for (let i = 1; i < cap; i++) l[i] = l[i + 1]!;
    l[cap] = order;
    return;
  }
  const { sample, hotBuyers, hotOrders } = evidenceLists(ev);
  s.evidence = evidenceOf(appendCapped(sample, order, cap), hotBuyers, hotOrders);
}

/** Closes the current day (feeding the baseline) and starts `day`. */
function rollTo(s: State, day: number, c: Config): void {
  if (s.day >= 0 && s.dayOrders > 0) {
    const buyers = Math.max(1, dayBuyerCount(s, c));
    const ratio = s.dayOrders / buyers;
    // Single-order days say nothing about repetition; they would only drag the baseline to 1.
    if (s.dayOrders >= 2) {
      if (s.baseDays === 0) edit(s, 0, 0, 0, ratio);
      else (s.n as number[])[0] = s.n[0]! + c.baselineAlpha * (ratio - s.n[0]!);
      s.baseDays++;
    }
    const len = pastLength(s);
    const packed = s.day * DAY_SCALE + Math.min(s.dayOrders, COUNT_MAX) * COUNT_SCALE + Math.min(Math.round(buyers), COUNT_MAX);
    setLengths(s, edit(s, pastStart(s), len, Math.max(0, len - c.weekDays + 1), packed), laneLength(s), dayLength(s));
  }
  const start = pastStart(s);
  const len = pastLength(s);
  let old = 0;
  while (old < len && Math.floor(s.n[start + old]! / DAY_SCALE) <= day - c.weekDays) old++;
  if (old > 0) setLengths(s, edit(s, start, len, old), laneLength(s), dayLength(s));
  if (s.day >= 0) decay(s, 0.5 ** (day - s.day), 0.5);
  s.day = day;
  s.dayOrders = 0;
  if (dayLength(s) > 0) {
    edit(s, dayStart(s), dayLength(s), dayLength(s));
    setLengths(s, pastLength(s), laneLength(s), 0);
  }
  s.dayBuyers = null;
}

/** The day's distinct buyers: exact in `n` up to hllExactCap, then a HyperLogLog estimate. */
function dayBuyerCount(s: State, c: Config): number {
  return s.dayBuyers === null ? dayLength(s) : hllCount(s.dayBuyers, c.hllPrecision);
}

/**
 * Adds buyer hash `h` to the day's distinct buyers (hll.ts's exact mode, its hashes kept in `n`
 * instead of an array of their own), except a new hash for the exact set: true then, for
 * observeOrder to add with the order's window entry, in one copy of `n` where each would make one.
 * The hashes become the HyperLogLog's registers beyond hllExactCap.
 */
function newDayBuyer(s: State, h: number, c: Config): boolean {
  if (s.dayBuyers !== null) {
    s.dayBuyers = hllAdd(s.dayBuyers, h, c.hllPrecision, c.hllExactCap) as string;
    return false;
  }
  const x = h >>> 0;
  const start = dayStart(s);
  const len = dayLength(s);
  for (let i = start; i < start + len; i++) if (s.n[i] === x) return false;
  if (len < c.hllExactCap) return true;
  // A full exact set and a new hash: hllAdd turns them into registers.
  s.dayBuyers = hllAdd(s.n.slice(start, start + len), x, c.hllPrecision, c.hllExactCap) as string;
  edit(s, start, len, len);
  setLengths(s, pastLength(s), laneLength(s), 0);
  return false;
}

/**
 * One order's changes to `n` in one pass: a new top-k key's count 1 and error bound 0 inserted at
 * `pair` (−1: none), day buyer hash `h` appended to the day's list (null: none), and the window (at
 * `start`, `len` long, last in `n`) without its first `drop` entries and with the entry of `secs`
 * and `fp` appended; returns the window's new length. In place when the length stays (entries
 * leaving the window make room) or when only a long window grows (see edit), else one exact-size
 * copy where each change made its own. The entry is built here from the time in seconds and the
 * fingerprint, small integers: the double they make, passed to a call, was a 16-byte box per order.
 */
function applyOrder(s: State, pair: number, h: number | null, start: number, len: number, drop: number, secs: number, fp: number): number {
  const p = pair >= 0 ? 2 : 0;
  const d = h === null ? 0 : 1;
  if (d > 0) setLengths(s, pastLength(s), laneLength(s), dayLength(s) + 1);
  const n = s.n as number[];
  if (drop === p + d + 1) {
    // The window moves down one, what lies between the new pair and the window up by the pair.
    for (let i = start + drop; i < n.length; i++) n[i - 1] = n[i]!;
    n[n.length - 1] = secs * FP_SCALE + fp;
    if (h !== null) n[start + p] = h >>> 0;
    if (p > 0) {
      for (let i = start - 1; i >= pair; i--) n[i + 2] = n[i]!;
      n[pair] = 1;
      n[pair + 1] = 0;
    }
    return len - drop + 1;
  }
  if (p + d + drop === 0 && len >= GROW_IN_PLACE) {
    n.push(secs * FP_SCALE + fp);
    return len + 1;
  }
  const out = new Array<number>(n.length + p + d + 1 - drop);
  let o = 0;
  for (let i = 0; i < (p > 0 ? pair : start); i++) out[o++] = n[i]!;
  if (p > 0) {
    out[o++] = 1;
    out[o++] = 0;
    for (let i = pair; i < start; i++) out[o++] = n[i]!;
  }
  if (h !== null) out[o++] = h >>> 0;
  for (let i = start + drop; i < n.length; i++) out[o++] = n[i]!;
  out[o] = secs * FP_SCALE + fp;
  s.n = out;
  return len - drop + 1;
}

const HOUR = 0;
const DAY = 1;
const WEEK = 2;
const REORDER = 3;

/** The raised threshold: the seller's baseline lifts it, within the cap. */
function lifted(thr: number, baseline: number, c: Config): number {
  return Math.max(thr, Math.min(c.baselineFactor * baseline, c.maxBaselineLift * thr));
}

function evaluate(s: State, ctx: SellerContext, c: Config): SignalFinding | null {
  const baseline = s.baseDays >= c.baselineMinDays ? s.n[0]! : c.populationRatio;
  const today = Math.floor((ctx.at - 1) / DAY_MS);
  const dayOrders = s.day >= today ? s.dayOrders : 0;
  const dayBuyers = s.day >= today ? dayBuyerCount(s, c) : 0;
  let weekOrders = dayOrders;
  let buyerDays = dayBuyers;
  // Indexed loops on the evaluation path: a for-of iterator is allocated where V8 does not optimise it away.
  const days = laneStart(s);
  for (let i = pastStart(s); i < days; i++) {
    const packed = s.n[i]!;
    if (Math.floor(packed / DAY_SCALE) > today - c.weekDays) {
      weekOrders += lowOf(Math.floor(packed / COUNT_SCALE), COUNT_SCALE);
      buyerDays += lowOf(packed, COUNT_SCALE);
    }
  }
  // Plain numbers per horizon, so the usual quiet evaluation allocates nothing.
  const hourStrength = c.hourWeight * ratioStrength(peakOrders(s), peakBuyers(s), c.hourMinOrders, lifted(c.hourRatio, baseline, c), c);
  const dayStrength = c.dayWeight * ratioStrength(dayOrders, dayBuyers, c.dayMinOrders, lifted(c.dayRatio, baseline, c), c);
  const weekStrength = c.weekWeight * ratioStrength(weekOrders, buyerDays, c.weekMinOrders, lifted(c.weekRatio, baseline, c), c);
  let best = HOUR;
  let bestStrength = hourStrength;
  if (dayStrength > bestStrength) {
    best = DAY;
    bestStrength = dayStrength;
  }
  if (weekStrength > bestStrength) {
    best = WEEK;
    bestStrength = weekStrength;
  }
  const reorder = repeaters(s) >= c.reorderMinAccounts ? reorderFinding(s, weekOrders, c) : null;
  if (reorder !== null && reorder.strength > bestStrength) {
    best = REORDER;
    bestStrength = reorder.strength;
  }

  const ev = s.evidence;
  let hotBuyers: readonly string[] = EMPTY;
  let hotOrders: readonly string[] = EMPTY;
  if (ev.length > 1 + sampleLength(ev)) {
    const lists = evidenceLists(ev);
    hotBuyers = lists.hotBuyers;
    hotOrders = lists.hotOrders;
    s.evidence = evidenceOf(lists.sample, EMPTY, EMPTY);
  }
  const peakN = peakOrders(s);
  const peakU = peakBuyers(s);
  setPeak(s, 0, 0);
  if (bestStrength === 0 || bestStrength < c.minStrength) return null;
  if (best === REORDER && reorder !== null) return reorder;

  const orders = best === HOUR ? peakN : best === DAY ? dayOrders : weekOrders;
  const buyers = best === HOUR ? peakU : best === DAY ? dayBuyers : buyerDays;
  const value = orders / buyers;
  const threshold = lifted(best === HOUR ? c.hourRatio : best === DAY ? c.dayRatio : c.weekRatio, baseline, c);
  const buyerIds = best === HOUR ? hotBuyers : topkList({ keys: s.keys, counts: s.n.slice(topStart(s), pastStart(s)) }, c.topBuyers).filter((t) => t.count - t.error >= 2).map((t) => t.key);
  const span = best === HOUR ? 'within one hour' : best === DAY ? 'today (UTC)' : `over the last ${c.weekDays} days`;
  const per = best === WEEK ? 'buyer-days' : 'buyers';
  return {
    name: 'repeat_buyers',
    family: 'concentration',
    value: round2(value),
    threshold: round2(threshold),
    strength: round2(bestStrength),
    horizonMs: best === HOUR ? c.windowMs : best === DAY ? DAY_MS : c.weekDays * DAY_MS,
    baseline: round2(baseline),
    explanation: `${orders} orders from ${round2(buyers)} ${per} ${span}: ${round2(value)} per buyer against a threshold of ${round2(threshold)} (seller baseline ${round2(baseline)}).`,
    evidence: { buyerIds, orderIds: best === HOUR ? hotOrders : evidenceLists(s.evidence).sample },
  };
}

/** The reorder lane's finding when enough accounts repeat their reviews of one listing, else null. */
function reorderFinding(s: State, weekOrders: number, c: Config): SignalFinding | null {
  const buyerIds: string[] = [];
  const reviewIds: string[] = [];
  for (let i = 0; i < s.reps.length; i += REP) {
    if (occurrences(s, s.reps[i] as number) < 2) continue;
    buyerIds.push(s.reps[i + 1] as string);
    reviewIds.push(s.reps[i + 2] as string);
  }
  if (buyerIds.length < c.reorderMinAccounts) return null;
  const repeats = repeatReviews(s);
  if (repeats < c.reorderMinRepeats || repeats < c.reorderOrderShare * weekOrders) return null;
  const value = repeats / laneLength(s);
  const strength = strengthOf(value, c.reorderShare, { strengthAtThreshold: c.reorderStrengthAtThreshold, saturation: c.saturation });
  if (strength === 0) return null;
  return {
    name: 'repeat_buyers',
    family: 'concentration',
    value: round2(value),
    threshold: round2(c.reorderShare),
    strength: round2(strength),
    horizonMs: c.weekDays * DAY_MS,
    baseline: null,
    explanation: `${repeats} of the last ${laneLength(s)} verified reviews over ${c.weekDays} days repeat an account's earlier review here on another order (${buyerIds.length}+ accounts; ${weekOrders} orders): ${round2(value)} against a threshold of ${round2(c.reorderShare)}.`,
    evidence: { buyerIds, reviewIds },
  };
}

/** Strength of orders ÷ buyers against a threshold; 0 below the minimum number of orders. */
function ratioStrength(orders: number, buyers: number, minOrders: number, threshold: number, c: Config): number {
  return orders >= minOrders && buyers > 0 ? strengthOf(orders / buyers, threshold, c) : 0;
}
