/**
 * Heap and JSON bytes of the states of signals 6–9 for small sellers (~50 orders/day), and of the
 * ring detector per tracked buyer, plus each signal's observe throughput and the ring's.
 * Run: node --expose-gc --import tsx bench/signals-6-10.ts [sellers=2000] [days=7]
 */
import { eventKeys } from '../src/engine/event-keys.js';
import * as emptyParcels from '../src/engine/signals/empty-parcels.js';
import * as reversalAfterReview from '../src/engine/signals/reversal-after-review.js';
import * as unverifiedReviews from '../src/engine/signals/unverified-reviews.js';
import * as edgeBurst from '../src/engine/signals/edge-burst.js';
import { ringConfigSchema, ringDetector } from '../src/engine/signals/ring.js';
import type { MarketEvent, SellerContext, SellerSignal } from '../src/engine/types.js';
import { rng } from '../test/helpers/fixtures.js';

const SELLERS = Number(process.argv[2] ?? 2000);
const DAYS = Number(process.argv[3] ?? 7);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = 1_767_225_600_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');


/** One small seller's events in canonical order: 50 orders/day through their lifecycle, reviews, refunds. */
function sellerEvents(s: number): MarketEvent[] {
  const r = rng(s + 1);
  const sellerId = `seller-${s}`;
  const out: MarketEvent[] = [];
  const itemGrams = [300, 800, 1200, 450, 2000];
  let n = 0;
  const base = { kind: 'order' as const, sellerId, quantity: 1, amountCents: 2500, currency: 'USD', buyerAccountCreatedAt: T0 - 300 * DAY, deviceId: null, ipAddress: null, shippingAddressHash: null, paymentInstrumentHash: null };
  for (let k = 0; k < 50 * DAYS; k++) {
    const t = T0 + Math.floor(r() * DAYS * DAY);
    const buyerId = r() < 0.2 ? `reg-${s}-${Math.floor(r() * 30)}` : `buyer-${s}-${k}`;
    const orderId = `order-${s}-${k}`;
    const item = Math.floor(r() * 5);
    const o = { ...base, orderId, buyerId, itemId: `item-${s}-${item}`, trackingNumber: null, carrier: null, parcelWeightGrams: null };
    out.push({ ...o, eventId: `e${s}-${n++}`, status: 'PLACED', eventTime: t });
    out.push({ ...o, eventId: `e${s}-${n++}`, status: 'PAID', eventTime: t + 60_000 });
    out.push({ ...o, eventId: `e${s}-${n++}`, status: 'SHIPPED', eventTime: t + DAY, trackingNumber: `tr-${orderId}`, carrier: 'ups', parcelWeightGrams: Math.round(itemGrams[item]! * (0.9 + 0.2 * r())) });
    if (r() < 0.3) {
      out.push({ kind: 'review', eventId: `e${s}-${n++}`, reviewId: `rev-${s}-${k}`, eventTime: t + 4 * DAY, orderId, sellerId, buyerId, itemId: o.itemId, rating: r() < 0.9 ? 5 : 2, text: 'ok', hasMedia: false, deviceId: null, ipAddress: null });
    }
    if (r() < 0.02) out.push({ ...o, eventId: `e${s}-${n++}`, status: 'REFUNDED', eventTime: t + 5 * DAY });
    if (r() < 0.02) {
      out.push({ kind: 'review', eventId: `e${s}-${n++}`, reviewId: `urev-${s}-${k}`, eventTime: t, orderId: null, sellerId, buyerId: `anon-${s}-${k}`, itemId: o.itemId, rating: 5, text: 'ok', hasMedia: false, deviceId: null, ipAddress: null });
    }
  }
  return out.sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));
}

function ctx(sellerId: string, at: number): SellerContext {
  return { sellerId, at, bucketMs: HOUR, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 50, historyDays: DAYS };
}

/** Feeds one seller's events, closing every hour up to the end. */
function feed<S, C>(sig: SellerSignal<S, C>, cfg: C, state: S, events: readonly MarketEvent[], sellerId: string): void {
  let i = 0;
  for (let at = T0 + HOUR; at <= T0 + DAYS * DAY; at += HOUR) {
    while (i < events.length && events[i]!.eventTime < at) {
      const e = events[i++]!;
      sig.observe(state, e, cfg, eventKeys(e));
    }
    sig.expire(state, at, cfg);
    sig.evaluate(state, ctx(sellerId, at), cfg);
  }
}

const modules = [emptyParcels, reversalAfterReview, unverifiedReviews, edgeBurst] as const;
const eventsPerSeller = sellerEvents(0).length;
console.log(`${SELLERS} sellers × ${DAYS} days, ~50 orders/day, ${eventsPerSeller} events per seller (node ${process.version})`);
let totalHeap = 0;
for (const m of modules) {
  const sig = m.signal as SellerSignal<unknown, unknown>;
  const cfg = m.configSchema.parse({});
  const states: unknown[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  let observeNs = 0n;
  let observed = 0;
  for (let s = 0; s < SELLERS; s++) {
    const events = sellerEvents(s);
    const state = sig.create(cfg);
    const t0 = process.hrtime.bigint();
    for (const e of events) sig.observe(state, e, cfg, eventKeys(e));
    observeNs += process.hrtime.bigint() - t0;
    observed += events.length;
    // Measured state: the same events fed the way the engine does (hourly closes).
    const fresh = sig.create(cfg);
    feed(sig, cfg, fresh, events, `seller-${s}`);
    states.push(fresh);
  }
  gc();
  const heap = (process.memoryUsage().heapUsed - before) / SELLERS;
  totalHeap += heap;
  const json = states.reduce<number>((n, st) => n + JSON.stringify(st).length, 0) / SELLERS;
  console.log(`${sig.name.padEnd(22)} heap ${heap.toFixed(0).padStart(5)} B/seller   JSON ${json.toFixed(0).padStart(5)} B/seller   observe ${((observed / Number(observeNs)) * 1e9 / 1e6).toFixed(2)} M events/s`);
  states.length = 0;
}
console.log(`signals 6–9 together: heap ${totalHeap.toFixed(0)} B/seller`);

// Ring detector: all sellers' PLACED orders through one detector. Its buyer table is typed
// arrays, whose contents live outside the V8 heap (arrayBuffers): count both.
const cfg = ringConfigSchema.parse({});
const ringBytes = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
gc();
const before = ringBytes();
const det = ringDetector(cfg);
// Buyers shop across sellers here (a shared pool of 75 buyers per seller, ~4.7 orders each).
const all: MarketEvent[] = [];
const rr = rng(99);
for (let s = 0; s < SELLERS; s++) {
  for (const e of sellerEvents(s)) {
    if (e.kind === 'order' && e.status === 'PLACED') all.push({ ...e, buyerId: `pool-${Math.floor(rr() * SELLERS * 75)}` });
  }
}
all.sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));
const t0 = process.hrtime.bigint();
let i = 0;
for (let at = T0 + HOUR; at <= T0 + DAYS * DAY; at += HOUR) {
  while (i < all.length && all[i]!.eventTime < at) det.observe(all[i++]!);
  det.evaluate(at, cfg);
}
const ringNs = Number(process.hrtime.bigint() - t0);
const sizes = det.sizes();
all.length = 0;
gc();
const ringHeap = ringBytes() - before;
console.log(
  `ring: ${i} PLACED events in ${(ringNs / 1e6).toFixed(0)} ms (${((i / ringNs) * 1e3).toFixed(2)} M events/s incl. ${DAYS * 24} evaluations); ` +
    `${sizes.buyers} buyers, ${sizes.sellers} sellers, ${sizes.pairs} pairs; heap ${(ringHeap / 1e6).toFixed(1)} MB = ${(ringHeap / sizes.buyers).toFixed(0)} B per tracked buyer; ` +
    `snapshot JSON ${(JSON.stringify(det.snapshot()).length / 1e6).toFixed(1)} MB`,
);
