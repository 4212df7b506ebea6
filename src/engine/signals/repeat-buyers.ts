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
 * Orders are counted, never units: a bulk buyer's single order of quantity 50 is one order.
 * Thresholds rise with the seller's own baseline (an EWMA of its daily ratio, or a population
 * prior until it has enough days), capped so a seller cannot brush its way to immunity.
 */
import { z } from 'zod';
import type { OrderEvent, SellerContext, SellerSignal, SignalFinding } from '../types.js';
import { hash32 } from '../sketch/hash.js';
import { hllAdd, hllCount, hllCreate, type HllState } from '../sketch/hll.js';
import { topkCreate, topkDecay, topkList, topkOffer, type TopKState } from '../sketch/topk.js';
import { curveFields, round2, strengthOf } from './curve.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const configSchema = z.object({
  windowMs: z.number().int().min(60_000).default(HOUR_MS).describe('Length of the sliding window of the exact rule, ms. Default 1 h.'),
  hourRatio: z.number().gt(1).default(3).describe('Orders ÷ distinct buyers within any window that fires (the industry rule). Default 3.'),
  hourMinOrders: z.number().int().min(2).default(3).describe('Orders a window needs before its ratio counts. Default 3.'),
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
  hllPrecision: z.number().int().min(4).max(12).default(6).describe("HyperLogLog precision p of a day's distinct buyers (2^p registers, ≈1.04/√2^p error). Default 6."),
  hllExactCap: z.number().int().min(0).max(64).default(16).describe('Distinct buyers per day counted exactly before switching to HyperLogLog. Default 16.'),
  topBuyers: z.number().int().min(1).max(16).default(4).describe('Heavy buyers tracked (space-saving top-k, halved daily) for evidence. Default 4.'),
  sampleOrders: z.number().int().min(1).max(16).default(5).describe('Order ids of repeat buyers kept as evidence. Default 5.'),
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

export interface State {
  /** The sliding window: time, buyer, order id of each PLACED order, oldest first. */
  wt: number[];
  wb: string[];
  wo: string[];
  /** Distinct buyers in the window. */
  wu: number;
  /** Highest window ratio since the last evaluation, with its size and evidence when it fired. */
  peak: number;
  peakN: number;
  peakU: number;
  peakBuyers: string[];
  peakOrders: string[];
  /** The current UTC day (index), its orders and distinct buyers. */
  day: number;
  dayOrders: number;
  dayBuyers: HllState;
  /** Closed days in the long horizon: [day, orders, distinct buyers] triples, oldest first. */
  past: number[];
  top: TopKState;
  sample: string[];
  base: number;
  baseDays: number;
}

export const signal: SellerSignal<State, Config> = {
  name: 'repeat_buyers',
  family: 'concentration',
  create: () => ({
    wt: [],
    wb: [],
    wo: [],
    wu: 0,
    peak: 0,
    peakN: 0,
    peakU: 0,
    peakBuyers: [],
    peakOrders: [],
    day: -1,
    dayOrders: 0,
    dayBuyers: hllCreate(),
    past: [],
    top: topkCreate(),
    sample: [],
    base: 0,
    baseDays: 0,
  }),
  observe(s, e, c) {
    if (e.kind !== 'order' || e.status !== 'PLACED') return;
    observeOrder(s, e, c);
  },
  evaluate: evaluate,
  // Drops only what is older than the long horizon: rolling a stale day here leaves the same
  // state as the next order would, so when the core calls this cannot change any finding.
  expire(s, now, c) {
    const day = Math.floor(now / DAY_MS);
    if (s.day >= 0 && s.day <= day - c.weekDays) rollTo(s, day, c);
    slide(s, now - c.weekDays * DAY_MS, c.windowCap + 1);
  },
};

function observeOrder(s: State, e: OrderEvent, c: Config): void {
  const t = e.eventTime;
  const day = Math.floor(t / DAY_MS);
  if (day > s.day) rollTo(s, day, c);
  s.dayOrders++;
  s.dayBuyers = hllAdd(s.dayBuyers, hash32(e.buyerId), c.hllPrecision, c.hllExactCap);
  if (topkOffer(s.top, e.buyerId, c.topBuyers) >= 2) {
    if (s.sample.length >= c.sampleOrders) s.sample.shift();
    s.sample.push(e.orderId);
  }

  slide(s, t - c.windowMs, c.windowCap);
  if (s.wb.indexOf(e.buyerId) < 0) s.wu++;
  s.wt.push(t);
  s.wb.push(e.buyerId);
  s.wo.push(e.orderId);
  const n = s.wt.length;
  if (n < c.hourMinOrders) return;
  const ratio = n / s.wu;
  if (ratio <= s.peak) return;
  s.peak = ratio;
  s.peakN = n;
  s.peakU = s.wu;
  // Evidence is copied only when the window fires, which is rare: nothing allocated otherwise.
  if (n >= c.hourRatio * s.wu) {
    s.peakBuyers = heaviest(s.wb, 3);
    s.peakOrders = s.wo.slice(-c.sampleOrders);
  }
}

/** Drops window entries older than `from` (inclusive window) and beyond `keep` − 1 entries. */
function slide(s: State, from: number, keep: number): void {
  while (s.wt.length > 0 && (s.wt[0]! < from || s.wt.length >= keep)) {
    s.wt.shift();
    s.wo.shift();
    const b = s.wb.shift()!;
    if (s.wb.indexOf(b) < 0) s.wu--;
  }
}

/** Closes the current day (feeding the baseline) and starts `day`. */
function rollTo(s: State, day: number, c: Config): void {
  if (s.day >= 0 && s.dayOrders > 0) {
    const buyers = Math.max(1, hllCount(s.dayBuyers, c.hllPrecision));
    const ratio = s.dayOrders / buyers;
    // Single-order days say nothing about repetition; they would only drag the baseline to 1.
    if (s.dayOrders >= 2) {
      s.base = s.baseDays === 0 ? ratio : s.base + c.baselineAlpha * (ratio - s.base);
      s.baseDays++;
    }
    s.past.push(s.day, s.dayOrders, buyers);
  }
  while (s.past.length > 0 && s.past[0]! <= day - c.weekDays) s.past.splice(0, 3);
  if (s.day >= 0) topkDecay(s.top, 0.5 ** (day - s.day), 0.5);
  s.day = day;
  s.dayOrders = 0;
  s.dayBuyers = hllCreate();
}

/** The `n` buyers with most entries in `buyers`, by count then id. */
function heaviest(buyers: readonly string[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const b of buyers) counts.set(b, (counts.get(b) ?? 0) + 1);
  return [...counts]
    .filter(([, k]) => k >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([b]) => b);
}

interface Horizon {
  readonly ms: number;
  readonly value: number;
  readonly threshold: number;
  readonly strength: number;
  readonly orders: number;
  readonly buyers: number;
}

function evaluate(s: State, ctx: SellerContext, c: Config): SignalFinding | null {
  const baseline = s.baseDays >= c.baselineMinDays ? s.base : c.populationRatio;
  const lift = (thr: number): number => Math.max(thr, Math.min(c.baselineFactor * baseline, c.maxBaselineLift * thr));
  const judge = (ms: number, orders: number, buyers: number, minOrders: number, thr: number, w: number): Horizon => {
    const value = orders >= minOrders && buyers > 0 ? orders / buyers : 0;
    const threshold = lift(thr);
    return { ms, value, threshold, strength: w * strengthOf(value, threshold, c), orders, buyers };
  };

  const hour = judge(c.windowMs, s.peakN, s.peakU, c.hourMinOrders, c.hourRatio, c.hourWeight);
  const today = Math.floor((ctx.at - 1) / DAY_MS);
  const dayOrders = s.day >= today ? s.dayOrders : 0;
  const dayBuyers = s.day >= today ? hllCount(s.dayBuyers, c.hllPrecision) : 0;
  const day = judge(DAY_MS, dayOrders, dayBuyers, c.dayMinOrders, c.dayRatio, c.dayWeight);
  let weekOrders = dayOrders;
  let buyerDays = dayBuyers;
  for (let i = 0; i < s.past.length; i += 3) {
    if (s.past[i]! > today - c.weekDays) {
      weekOrders += s.past[i + 1]!;
      buyerDays += s.past[i + 2]!;
    }
  }
  const week = judge(c.weekDays * DAY_MS, weekOrders, buyerDays, c.weekMinOrders, c.weekRatio, c.weekWeight);

  const hourBuyers = s.peakBuyers;
  const hourOrders = s.peakOrders;
  s.peak = 0;
  s.peakN = 0;
  s.peakU = 0;
  s.peakBuyers = [];
  s.peakOrders = [];

  let best = hour;
  if (day.strength > best.strength) best = day;
  if (week.strength > best.strength) best = week;
  if (best.strength < c.minStrength || best.strength === 0) return null;

  const isHour = best === hour;
  const buyerIds = isHour ? hourBuyers : topkList(s.top, c.topBuyers).filter((t) => t.count >= 2).map((t) => t.key);
  const span = isHour ? 'within one hour' : best === day ? 'today (UTC)' : `over the last ${c.weekDays} days`;
  const per = best === week ? 'buyer-days' : 'buyers';
  return {
    name: 'repeat_buyers',
    family: 'concentration',
    value: round2(best.value),
    threshold: round2(best.threshold),
    strength: round2(best.strength),
    horizonMs: best.ms,
    baseline: round2(baseline),
    explanation: `${best.orders} orders from ${round2(best.buyers)} ${per} ${span}: ${round2(best.value)} per buyer against a threshold of ${round2(best.threshold)} (seller baseline ${round2(baseline)}).`,
    evidence: { buyerIds, orderIds: isHour ? hourOrders : s.sample.slice() },
  };
}
