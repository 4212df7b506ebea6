/**
 * Signal 6, `empty_parcels` (family fulfilment): parcels declared far lighter than the item
 * usually ships at, or at a few grams. Brushers ship empty envelopes so the fake order gets a
 * real tracking number and "delivered" status, which the review then relies on.
 *
 * Per seller it learns each item's typical weight as the median of its last few accepted
 * parcels (a median, so a minority of fake parcels cannot drag it down; suspicious parcels are
 * not learned from) for a capped number of items, least recently shipped evicted.
 */
import { z } from 'zod';
import type { MarketEvent, SellerContext, SellerSignal, SignalFinding } from '../types.js';
import { addAt, createHourCounts, HOUR_MS, rampStrength, sumBetween, type HourCounts } from './hour-counts.js';

export const configSchema = z.object({
  horizonMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .max(48 * HOUR_MS)
    .default(24 * HOUR_MS)
    .describe('Window over which suspicious parcels are counted, ms (1 h to 48 h). Default 24 h.'),
  floorGrams: z
    .number()
    .min(0)
    .default(10)
    .describe('A declared weight below this is suspicious whatever the item: an envelope with nothing in it. Default 10 g.'),
  ratio: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.25)
    .describe("A weight below ratio × the item's typical weight is suspicious. Default 0.25."),
  minItemSamples: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Accepted parcels of an item needed before its typical weight is trusted. Default 3.'),
  samplesPerItem: z
    .number()
    .int()
    .min(1)
    .max(9)
    .default(5)
    .describe('Recent accepted weights kept per item; the typical weight is their median. Default 5 (max 9).'),
  maxItems: z
    .number()
    .int()
    .min(1)
    .default(32)
    .describe('Items tracked per seller; the least recently shipped is evicted. Default 32.'),
  minCount: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Suspicious parcels within the horizon needed to fire. Default 3.'),
  minShare: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe('And their share of all parcels shipped in the horizon must reach this. Default 0.05.'),
  fullCount: z
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Suspicious parcels at which strength reaches 1 (0.5 at minCount). Default 10.'),
  maxEvidence: z
    .number()
    .int()
    .min(1)
    .default(16)
    .describe('Most recent suspicious parcels kept as evidence. Default 16.'),
});
export type Config = z.infer<typeof configSchema>;

interface Item {
  readonly id: string;
  /** Last accepted weights, oldest first. */
  readonly w: number[];
  last: number;
}

/** One suspicious parcel: its time, order, buyer, weight and the item's typical weight then (−1: unknown). */
type Hit = [t: number, orderId: string, buyerId: string, grams: number, typical: number];

export interface State {
  items: Item[];
  hits: Hit[];
  /** Lane 0: parcels shipped; lane 1: suspicious parcels. */
  counts: HourCounts;
}

const LANES = 2;

/** Median of a short array without allocating (O(n²) for n ≤ 9). */
function median(w: readonly number[]): number {
  const n = w.length;
  const k = (n - 1) >> 1;
  for (let i = 0; i < n; i++) {
    let less = 0;
    let equal = 0;
    const x = w[i]!;
    for (let j = 0; j < n; j++) {
      const y = w[j]!;
      if (y < x) less++;
      else if (y === x) equal++;
    }
    if (less <= k && k < less + equal) return x;
  }
  return w[0]!;
}

function itemFor(state: State, itemId: string, t: number, config: Config): Item {
  const items = state.items;
  for (let i = 0; i < items.length; i++) if (items[i]!.id === itemId) return items[i]!;
  const item: Item = { id: itemId, w: [], last: t };
  if (items.length < config.maxItems) {
    items.push(item);
    return item;
  }
  let oldest = 0;
  for (let i = 1; i < items.length; i++) if (items[i]!.last < items[oldest]!.last) oldest = i;
  items[oldest] = item;
  return item;
}

export const signal: SellerSignal<State, Config> = {
  name: 'empty_parcels',
  family: 'fulfilment',

  create(config) {
    return { items: [], hits: [], counts: createHourCounts(Math.ceil(config.horizonMs / HOUR_MS) + 4, LANES) };
  },

  observe(state, event: MarketEvent, config) {
    if (event.kind !== 'order' || event.status !== 'SHIPPED' || event.parcelWeightGrams === null) return;
    const grams = event.parcelWeightGrams;
    const t = event.eventTime;
    const item = itemFor(state, event.itemId, t, config);
    item.last = t;
    const typical = item.w.length >= config.minItemSamples ? median(item.w) : -1;
    addAt(state.counts, LANES, t, 0);
    if (grams < config.floorGrams || (typical > 0 && grams < config.ratio * typical)) {
      addAt(state.counts, LANES, t, 1);
      if (state.hits.length >= config.maxEvidence) state.hits.shift();
      state.hits.push([t, event.orderId, event.buyerId, grams, typical]);
      return;
    }
    if (item.w.length >= config.samplesPerItem) item.w.shift();
    item.w.push(grams);
  },

  evaluate(state, ctx: SellerContext, config): SignalFinding | null {
    const from = ctx.at - config.horizonMs;
    const suspicious = sumBetween(state.counts, LANES, from, ctx.at, 1);
    if (suspicious < config.minCount) return null;
    const shipped = sumBetween(state.counts, LANES, from, ctx.at, 0);
    if (suspicious < config.minShare * shipped) return null;
    const orderIds: string[] = [];
    const buyerIds: string[] = [];
    const examples: string[] = [];
    for (const [t, orderId, buyerId, grams, typical] of state.hits) {
      if (t < from || t >= ctx.at) continue;
      orderIds.push(orderId);
      if (!buyerIds.includes(buyerId)) buyerIds.push(buyerId);
      if (examples.length < 3) examples.push(`${orderId} ${grams} g vs ${typical < 0 ? 'unknown' : `${typical} g`} typical`);
    }
    return {
      name: 'empty_parcels',
      family: 'fulfilment',
      value: suspicious,
      threshold: config.minCount,
      strength: rampStrength(suspicious, config.minCount, config.fullCount),
      horizonMs: config.horizonMs,
      baseline: null,
      explanation:
        `${suspicious} of ${shipped} parcels shipped in ${config.horizonMs / HOUR_MS} h were declared under ` +
        `${config.floorGrams} g or under ${config.ratio} × the item's typical weight (${examples.join('; ')})`,
      evidence: { orderIds, buyerIds },
    };
  },

  expire(state, now, config) {
    const from = now - config.horizonMs;
    let drop = 0;
    while (drop < state.hits.length && state.hits[drop]![0] < from) drop++;
    if (drop > 0) state.hits.splice(0, drop);
    // Item weights are kept past the horizon on purpose (they are the learned baseline); only
    // items not shipped for 30 horizons go.
    const stale = now - 30 * config.horizonMs;
    if (state.items.some((i) => i.last < stale)) state.items = state.items.filter((i) => i.last >= stale);
  },
};
