/**
 * Signal 6, `empty_parcels` (family fulfilment): parcels declared far lighter than the item
 * usually ships at, or at a few grams. Brushers ship empty envelopes so the fake order gets a
 * real tracking number and "delivered" status, which the review then relies on.
 *
 * Items learn their weight per unit (parcel ÷ quantity), so a bulk order of 20 does not make the
 * next single unit look empty; a parcel is judged whole against one unit's weight, since an empty
 * parcel is light even for one unit while a declared weight often does not grow with the quantity.
 * Per seller it learns each item's typical unit weight as the median
 * of its last few accepted parcels (a median, so a minority of fake parcels cannot drag it down; suspicious parcels are
 * not learned from) for a capped number of items, least recently shipped evicted. The share of
 * suspicious parcels is taken against the core's 24 h order count (`ctx.orders24h`), so the
 * signal keeps no volume counters of its own. Items live in one flat array of numbers, of exact
 * size (V8 gives arrays grown by push up to 16 spare slots, which would double a small seller's
 * state), keyed by a 32-bit hash of the item id: two items of one seller collide with a chance of
 * about n²/2^33 (10^-7 at the 32-item cap), and then share one typical weight.
 * A letter-class unit (under `envelopeGrams`) of an item with no accepted parcel is judged against
 * the lower median of the seller's other items instead: a listing made for brushing ships only
 * envelopes and so never learns a weight, while a shop that has shipped a light item has learned it.
 */
import { z } from 'zod';
import type { MarketEvent, SellerContext, SellerSignal, SignalFinding } from '../types.js';
import { HOUR_MS, rampStrength } from './hour-counts.js';
import { appendCapped, dropFirst, EMPTY } from '../sketch/lists.js';
import { hash32 } from '../sketch/hash.js';

export const configSchema = z.object({
  horizonMs: z
    .number()
    .int()
    .min(HOUR_MS)
    .max(48 * HOUR_MS)
    .default(48 * HOUR_MS)
    .describe(
      'Window over which suspicious parcels are counted, ms (1 h to 48 h). Default 48 h: a low-rate campaign places one to three fake orders a day and each ships 2–96 h after its order, so 24 h seldom held three of them.',
    ),
  floorGrams: z
    .number()
    .min(0)
    .default(10)
    .describe('A declared weight below this is suspicious whatever the item: an envelope with nothing in it. Default 10 g.'),
  envelopeGrams: z
    .number()
    .min(0)
    .default(50)
    .describe(
      "A unit declared under this (letter class: an envelope with a card or nothing) of an item with no accepted parcel of its own is suspicious when it is also under ratio × the median typical unit weight of the seller's other items. Default 50 g: a brusher's dedicated listing never ships a real parcel, so its own typical weight is never learned and the floor alone misses envelopes of 10–50 g.",
    ),
  ratio: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.25)
    .describe("A weight per unit below ratio × the item's typical weight per unit is suspicious. Default 0.25."),
  minItemSamples: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('Accepted parcels of an item needed before its typical weight is used. Default 1: a drop to under a quarter of even one earlier parcel is telling, and waiting for 3 let campaigns that start early teach the item their empty weight.'),
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
    .describe("And their number must reach this share of the seller's orders of the last 24 h. Default 0.05."),
  fullCount: z
    .number()
    .int()
    .min(1)
    .default(4)
    .describe(
      "Suspicious parcels at which strength reaches 1 (0.5 at minCount). Default 4: a slip of the scale or label makes one or two such parcels, not four within the horizon at 5 % of the seller's orders, and a listing shipping only envelopes adds one per fake order (at 6 a brushing listing alerted at its fifth envelope, about 10 h after the third on the simulator). A systematic error (a wrong unit) fires at any count.",
    ),
  maxEvidence: z
    .number()
    .int()
    .min(1)
    .default(16)
    .describe('Most recent suspicious parcels kept: counted (so the count saturates here) and shown as evidence. Default 16.'),
});
export type Config = z.infer<typeof configSchema>;

/** One suspicious parcel: its time, order, buyer, weight, units, and the typical unit weight it was judged by (−1: unknown). */
type Hit = [t: number, orderId: string, buyerId: string, grams: number, units: number, typical: number];

export interface State {
  /**
   * Tracked items, in the order they came (a new item takes an evicted one's place): per item ITEM
   * numbers (the item id's hash; the hour it last shipped × COUNTS + how many accepted parcels it
   * has had: only n mod k and min(n, k) matter, kept below 2k) and then its min(n, k) unit weight
   * samples (a ring once k are held). One array instead of one per field, and only the samples an
   * item has: most items of a small seller have shipped once, and k slots each would double the
   * array. Snapshots before hold the hour and the count as two numbers, in `weights` (see upgrade).
   */
  itemWeights: number[];
  hits: readonly Hit[];
}

/** Layouts before this one (a state restored from an older snapshot). */
interface Earlier {
  /** Items with three numbers each (hash, hour, count), then their samples. */
  weights?: number[];
  /** Items with all k sample slots each, used or not. */
  items?: number[];
  itemIds?: string[];
  lastHour?: number[];
  grams?: number[];
  samples?: number[];
}

/** Numbers per item before its samples: hash, last hour × COUNTS + count. */
const ITEM = 2;
/** Above any count (below 2k, k ≤ 9); an hour × COUNTS stays a small integer for millennia. */
const COUNTS = 32;

/** Accepted parcels of the item at `o` (mod k, kept below 2k). */
function countOf(w: readonly number[], o: number): number {
  return w[o + 1]! % COUNTS;
}

/** The hour the item at `o` last shipped. */
function hourOf(w: readonly number[], o: number): number {
  return Math.floor(w[o + 1]! / COUNTS);
}

/** Numbers the item at `o` takes. */
function size(w: readonly number[], o: number, k: number): number {
  return ITEM + Math.min(countOf(w, o), k);
}

/** Reads a state restored in an earlier layout into this one. */
function upgrade(state: State, k: number): void {
  const old = state as State & Earlier;
  if (old.weights === undefined) earlierWeights(old, k);
  const w = old.weights!;
  // Three numbers per item then its min(count, k) samples, into two numbers per item.
  let items = 0;
  for (let o = 0; o < w.length; o += 3 + Math.min(w[o + 2]!, k)) items++;
  const out = new Array<number>(w.length - items);
  let at = 0;
  for (let o = 0; o < w.length; o += 3 + Math.min(w[o + 2]!, k)) {
    out[at++] = w[o]!;
    out[at++] = w[o + 1]! * COUNTS + w[o + 2]!;
    for (let i = 0; i < Math.min(w[o + 2]!, k); i++) out[at++] = w[o + 3 + i]!;
  }
  state.itemWeights = at === 0 ? (EMPTY as never[]) : out;
  old.weights = undefined;
}

/** Reads the layouts before `weights` (item ids and four arrays, or `items` with k sample slots each) into `weights`. */
function earlierWeights(old: State & Earlier, k: number): void {
  if (old.itemIds !== undefined) {
    const n = old.itemIds.length;
    const items = new Array<number>(n * (3 + k));
    for (let i = 0; i < n; i++) {
      const o = i * (3 + k);
      items[o] = hash32(old.itemIds[i]!);
      items[o + 1] = old.lastHour![i]!;
      items[o + 2] = old.samples![i]!;
      for (let j = 0; j < k; j++) items[o + 3 + j] = old.grams![i * k + j]!;
    }
    old.items = items;
    old.itemIds = old.lastHour = old.grams = old.samples = undefined;
  }
  const items = old.items!;
  const w: number[] = [];
  for (let o = 0; o < items.length; o += 3 + k) for (let i = 0; i < 3 + Math.min(items[o + 2]!, k); i++) w.push(items[o + i]!);
  old.weights = w;
  old.items = undefined;
}

/** Median of `n` values at w[from..from+n) without allocating (O(n²) for n ≤ 9). */
function median(w: readonly number[], from: number, n: number): number {
  const k = (n - 1) >> 1;
  for (let i = from; i < from + n; i++) {
    let less = 0;
    let equal = 0;
    const x = w[i]!;
    for (let j = from; j < from + n; j++) {
      const y = w[j]!;
      if (y < x) less++;
      else if (y === x) equal++;
    }
    if (less <= k && k < less + equal) return x;
  }
  return w[from]!;
}

/**
 * Lower median of the typical unit weights of the seller's items other than the one at `skip`
 * that have at least `minItemSamples` accepted parcels (−1 when none has). At most `maxItems`
 * small medians; only called for letter-class parcels of unlearned items.
 */
function sellerTypical(state: State, skip: number, config: Config): number {
  const k = config.samplesPerItem;
  const w = state.itemWeights;
  const typicals: number[] = [];
  for (let o = 0; o < w.length; o += size(w, o, k)) {
    const have = Math.min(countOf(w, o), k);
    if (o !== skip && have >= config.minItemSamples) typicals.push(median(w, o + ITEM, have));
  }
  return typicals.length > 0 ? median(typicals, 0, typicals.length) : -1;
}

/**
 * A copy of the weights with `remove` numbers at `at` replaced by `insert` zeros (exact size).
 */
function resized(w: readonly number[], at: number, remove: number, insert: number): number[] {
  const out = new Array<number>(w.length - remove + insert);
  for (let i = 0; i < at; i++) out[i] = w[i]!;
  for (let i = 0; i < insert; i++) out[at + i] = 0;
  for (let i = at + remove; i < w.length; i++) out[i - remove + insert] = w[i]!;
  return out;
}

/** Where the item with id hash `h` starts, −1 if it is not tracked. */
function find(w: readonly number[], h: number, k: number): number {
  for (let o = 0; o < w.length; o += size(w, o, k)) if (w[o] === h) return o;
  return -1;
}

/** Where the item a new one would replace starts (the least recently shipped, the first of equals), −1 while there is room. */
function evictee(w: readonly number[], config: Config): number {
  const k = config.samplesPerItem;
  let items = 0;
  let oldest = -1;
  for (let o = 0; o < w.length; o += size(w, o, k)) {
    items++;
    if (oldest < 0 || hourOf(w, o) < hourOf(w, oldest)) oldest = o;
  }
  return items < config.maxItems ? -1 : oldest;
}

/**
 * Adds the item with id hash `h` and room for `room` (0 or 1) samples, at the end or in place of
 * the evictee (in one copy: its samples go, the room comes); returns where it starts.
 */
function place(state: State, h: number, hour: number, room: number, config: Config): number {
  const w = state.itemWeights;
  const o = evictee(w, config);
  if (o < 0) {
    const out = resized(w, w.length, 0, ITEM + room);
    out[w.length] = h;
    out[w.length + 1] = hour * COUNTS;
    state.itemWeights = out;
    return w.length;
  }
  const out = resized(w, o + ITEM, Math.min(countOf(w, o), config.samplesPerItem), room);
  out[o] = h;
  out[o + 1] = Math.max(hourOf(out, o), hour) * COUNTS;
  state.itemWeights = out;
  return o;
}

export const signal: SellerSignal<State, Config> = {
  name: 'empty_parcels',
  family: 'fulfilment',
  observes: { orders: ['SHIPPED'], reviews: false },

  // Most sellers never ship a suspicious parcel and many never ship at all: the lists start as the
  // shared empty one and are replaced by exact-size arrays (written in place only once non-empty).
  create() {
    return { itemWeights: EMPTY as never[], hits: EMPTY };
  },

  revive(saved, config) {
    const state = saved as State;
    if (state.itemWeights === undefined) upgrade(state, config.samplesPerItem);
    return state;
  },

  observe(state, event: MarketEvent, config) {
    if (event.kind !== 'order' || event.status !== 'SHIPPED' || event.parcelWeightGrams === null) return true;
    const grams = event.parcelWeightGrams;
    const units = Math.max(1, event.quantity);
    const unitGrams = grams / units;
    const t = event.eventTime;
    const hour = Math.floor(t / HOUR_MS);
    const k = config.samplesPerItem;
    const h = hash32(event.itemId);
    let slot = find(state.itemWeights, h, k);
    const have = slot < 0 ? 0 : Math.min(countOf(state.itemWeights, slot), k);
    const typical = have >= config.minItemSamples ? median(state.itemWeights, slot + ITEM, have) : -1;
    let against = typical;
    // The whole parcel is judged against one unit: an empty parcel is light even for one unit, while
    // a declared weight often does not grow with the quantity (a listing's weight typed once).
    let suspicious = grams < config.floorGrams || (typical > 0 && grams < config.ratio * typical);
    if (!suspicious && typical < 0 && grams < config.envelopeGrams) {
      // A new item has no samples, nor would the item it replaces once replaced.
      against = sellerTypical(state, slot < 0 ? evictee(state.itemWeights, config) : slot, config);
      suspicious = against > 0 && grams < config.ratio * against;
    }
    // A new item is placed with room for this parcel's sample, an item below k samples grows by
    // one (the ring position n is one past its last sample): one copy of the weights at most.
    if (slot < 0) slot = place(state, h, hour, suspicious ? 0 : 1, config);
    else {
      const w = state.itemWeights;
      const n = countOf(w, slot);
      w[slot + 1] = Math.max(hourOf(w, slot), hour) * COUNTS + n;
      if (!suspicious && n < k) state.itemWeights = resized(w, slot + ITEM + n, 0, 1);
    }
    if (suspicious) {
      state.hits = appendCapped(state.hits, [t, event.orderId, event.buyerId, grams, units, against], config.maxEvidence);
      return false;
    }
    const w = state.itemWeights;
    const n = countOf(w, slot);
    w[slot + ITEM + (n % k)] = unitGrams;
    w[slot + 1] = hourOf(w, slot) * COUNTS + (n + 1 >= 2 * k ? n + 1 - k : n + 1);
    // A parcel that is not suspicious leaves a quiet period on (see quietUntil).
    return true;
  },

  evaluate(state, ctx: SellerContext, config): SignalFinding | null {
    const from = ctx.at - config.horizonMs;
    let suspicious = 0;
    for (let i = 0; i < state.hits.length; i++) if (state.hits[i]![0] >= from && state.hits[i]![0] < ctx.at) suspicious++;
    if (suspicious < config.minCount || suspicious < config.minShare * ctx.orders24h) return null;
    const orderIds: string[] = [];
    const buyerIds: string[] = [];
    const examples: string[] = [];
    for (const [t, orderId, buyerId, grams, units, typical] of state.hits) {
      if (t < from || t >= ctx.at) continue;
      orderIds.push(orderId);
      if (!buyerIds.includes(buyerId)) buyerIds.push(buyerId);
      if (examples.length < 3) {
        const per = units > 1 ? ` for ${units} units` : '';
        examples.push(`${orderId} ${grams} g${per} vs ${typical < 0 ? 'unknown' : `${Math.round(typical)} g`} typical per unit`);
      }
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
        `${suspicious} parcels shipped in ${config.horizonMs / HOUR_MS} h (${ctx.orders24h} orders in 24 h) were declared under ` +
        `${config.floorGrams} g or under ${config.ratio} × the item's typical weight (under ${config.envelopeGrams} g with no normal parcel of ` +
        `its own: the seller's other items') (${examples.join('; ')})`,
      evidence: { orderIds, buyerIds },
    };
  },

  // Without a new parcel the count in the sliding window can only fall, so fewer than minCount hits
  // from at − horizon on never fire, whatever ctx.orders24h does; quiet until expire would drop
  // something: the oldest hit leaving the horizon or the least recently shipped item going stale,
  // at most 30 horizons, so that an item shipped during the quiet period goes stale after it.
  quietUntil(state, at, config) {
    const from = at - config.horizonMs;
    let hits = 0;
    for (let i = 0; i < state.hits.length; i++) if (state.hits[i]![0] >= from) hits++;
    if (hits >= config.minCount) return at;
    let until = at + 30 * config.horizonMs;
    if (state.hits.length > 0) until = state.hits[0]![0] + config.horizonMs;
    const k = config.samplesPerItem;
    const w = state.itemWeights;
    for (let o = 0; o < w.length; o += size(w, o, k)) until = Math.min(until, (hourOf(w, o) + 1) * HOUR_MS + 30 * config.horizonMs);
    return until;
  },

  expire(state, now, config) {
    const from = now - config.horizonMs;
    let drop = 0;
    while (drop < state.hits.length && state.hits[drop]![0] < from) drop++;
    if (drop > 0) state.hits = dropFirst(state.hits, drop);
    // Item weights are kept past the horizon on purpose (they are the learned baseline); only
    // items not shipped for 30 horizons go.
    const stale = Math.floor((now - 30 * config.horizonMs) / HOUR_MS);
    const k = config.samplesPerItem;
    const w = state.itemWeights;
    let kept = 0;
    for (let o = 0; o < w.length; o += size(w, o, k)) if (hourOf(w, o) >= stale) kept += size(w, o, k);
    if (kept === w.length) return;
    if (kept === 0) {
      state.itemWeights = EMPTY as never[];
      return;
    }
    const out = new Array<number>(kept);
    let at = 0;
    for (let o = 0; o < w.length; o += size(w, o, k)) {
      if (hourOf(w, o) < stale) continue;
      for (let i = 0; i < size(w, o, k); i++) out[at++] = w[o + i]!;
    }
    state.itemWeights = out;
  },
};
