/**
 * Heap and JSON bytes of the states of signals 1–5 for typical small sellers (~50 orders/day over
 * a week, through delivery, a third reviewed), and each signal's observe throughput.
 * Run: node --expose-gc --import tsx bench/signals-1-5.ts [sellers=500] [days=7]
 * Config per signal (e.g. smaller tables): BENCH_SIGNALS='{"review_timing":{"orderSlots":32}}'
 */
import { eventKeys } from '../src/engine/event-keys.js';
import * as repeatBuyers from '../src/engine/signals/repeat-buyers.js';
import * as freshAccounts from '../src/engine/signals/fresh-accounts.js';
import * as sharedIdentity from '../src/engine/signals/shared-identity.js';
import * as reviewTiming from '../src/engine/signals/review-timing.js';
import * as duplicateText from '../src/engine/signals/duplicate-text.js';
import type { MarketEvent, SellerContext, SellerSignal } from '../src/engine/types.js';
import { rng } from '../test/helpers/fixtures.js';

const SELLERS = Number(process.argv[2] ?? 500);
const OVERRIDES = JSON.parse(process.env.BENCH_SIGNALS ?? '{}') as Record<string, unknown>;
const DAYS = Number(process.argv[3] ?? 7);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = 1_767_225_600_000;
const maybeGc = (globalThis as { gc?: () => void }).gc;
if (maybeGc === undefined) throw new Error('run with node --expose-gc');
const gc: () => void = maybeGc;


const TEXTS = ['good', 'Great product, fast shipping!', 'nice', ''];
const WORDS = 'kettle handle spout lid enamel bamboo colour box mug gooseneck thermometer crack chip drip boil litre gas induction flow coffee tea'.split(' ');

/** One small seller's events in canonical order. */
function sellerEvents(s: number): MarketEvent[] {
  const r = rng(s + 1);
  const sellerId = `seller-${s}`;
  const out: MarketEvent[] = [];
  let n = 0;
  for (let k = 0; k < 50 * DAYS; k++) {
    const t = T0 + Math.floor(r() * DAYS * DAY);
    // One order in ten comes from a returning buyer.
    const buyerId = r() < 0.1 ? `b-${s}-${Math.floor(r() * 20)}` : `b-${s}-${k + 100}`;
    const orderId = `o-${s}-${k}`;
    const base = {
      kind: 'order' as const,
      orderId,
      sellerId,
      buyerId,
      itemId: `i-${s}-${k % 7}`,
      quantity: 1,
      amountCents: 2500,
      currency: 'USD',
      buyerAccountCreatedAt: t - Math.floor((2 + r() * 900) * DAY),
      deviceId: `d-${buyerId}`,
      ipAddress: `10.${s % 250}.${Math.floor(r() * 250)}.${k % 250}`,
      shippingAddressHash: `a-${buyerId}`,
      paymentInstrumentHash: `p-${buyerId}`,
      trackingNumber: null,
      carrier: null,
      parcelWeightGrams: null,
    };
    out.push({ ...base, eventId: `e-${s}-${n++}`, status: 'PLACED', eventTime: t });
    out.push({ ...base, eventId: `e-${s}-${n++}`, status: 'PAID', eventTime: t + 60_000 });
    const delivered = t + Math.floor((2 + r() * 2) * DAY);
    out.push({ ...base, eventId: `e-${s}-${n++}`, status: 'DELIVERED', eventTime: delivered });
    if (r() < 0.33) {
      const words = Array.from({ length: 6 + Math.floor(r() * 8) }, () => WORDS[Math.floor(r() * WORDS.length)]!);
      out.push({
        kind: 'review',
        eventId: `e-${s}-${n++}`,
        reviewId: `r-${s}-${k}`,
        eventTime: delivered + Math.floor((0.5 + r() * 4) * DAY),
        orderId,
        sellerId,
        buyerId,
        itemId: base.itemId,
        rating: r() < 0.7 ? 5 : 4,
        text: r() < 0.5 ? words.join(' ') : TEXTS[Math.floor(r() * TEXTS.length)]!,
        hasMedia: false,
        deviceId: base.deviceId,
        ipAddress: base.ipAddress,
      });
    }
  }
  out.sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));
  return out;
}

interface Module {
  readonly signal: SellerSignal<unknown, unknown>;
  readonly configSchema: { parse(x: unknown): unknown };
}
const noop: Module = {
  signal: { name: 'noop', family: 'concentration', create: () => ({}), observe: () => undefined, evaluate: () => null, expire: () => undefined },
  configSchema: { parse: () => ({}) },
};
const modules: Record<string, Module> = {
  repeat_buyers: repeatBuyers as unknown as Module,
  fresh_accounts: freshAccounts as unknown as Module,
  shared_identity: sharedIdentity as unknown as Module,
  review_timing: reviewTiming as unknown as Module,
  duplicate_text: duplicateText as unknown as Module,
};

function ctx(sellerId: string, at: number): SellerContext {
  return { sellerId, at, bucketMs: HOUR, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 0, historyDays: 0 };
}

/** Feeds one seller's events, evaluating at every hour boundary as the core does. */
function run(sig: SellerSignal<unknown, unknown>, config: unknown, events: readonly MarketEvent[], sellerId: string): unknown {
  const state = sig.create(config);
  let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
  for (const e of events) {
    while (boundary <= e.eventTime) {
      sig.evaluate(state, ctx(sellerId, boundary), config);
      sig.expire(state, boundary, config);
      boundary += HOUR;
    }
    sig.observe(state, e, config, eventKeys(e));
  }
  return state;
}

const eventsPerSeller = sellerEvents(0).length;
console.log(`${SELLERS} small sellers, ${DAYS} days, ${eventsPerSeller} events each (50 PLACED orders/day)`);
/** Heap retained by `make()`'s result: heap with it minus heap after dropping it, per seller. */
function retained(make: () => unknown[]): number {
  let held: unknown[] | null = make();
  gc();
  gc();
  const withIt = process.memoryUsage().heapUsed;
  held.length = 0;
  held = null;
  gc();
  gc();
  return (withIt - process.memoryUsage().heapUsed) / SELLERS;
}

let totalHeap = 0;
let totalJson = 0;
let totalRestored = 0;
for (const [name, m] of Object.entries(modules)) {
  const config = m.configSchema.parse(OVERRIDES[name] ?? {});
  let json = 0;
  let snapshots: string[] = [];
  const heap = retained(() => {
    const states: unknown[] = [];
    for (let s = 0; s < SELLERS; s++) states.push(run(m.signal, config, sellerEvents(s), `seller-${s}`));
    snapshots = states.map((st) => JSON.stringify(st));
    json = snapshots.reduce((sum, j) => sum + j.length, 0) / SELLERS;
    return states;
  });
  // The same states restored from their snapshots: exact-size arrays and flat strings.
  const restored = retained(() => snapshots.map((j) => JSON.parse(j) as unknown));
  totalHeap += heap;
  totalJson += json;
  totalRestored += restored;
  console.log(`${name.padEnd(16)} heap ${heap.toFixed(0).padStart(5)} B/seller (${restored.toFixed(0).padStart(5)} after a JSON restore)   JSON ${json.toFixed(0).padStart(5)} B/seller`);
}
console.log(`${'signals 1-5'.padEnd(16)} heap ${totalHeap.toFixed(0).padStart(5)} B/seller (${totalRestored.toFixed(0).padStart(5)} after a JSON restore)   JSON ${totalJson.toFixed(0).padStart(5)} B/seller`);

// Observe throughput on pre-built events (evaluate/expire excluded: they run once per hour).
const sample: MarketEvent[][] = [];
for (let s = 0; s < 40; s++) sample.push(sellerEvents(s));
const total = sample.reduce((n, ev) => n + ev.length, 0);
// "loop only" is the cost of this loop with a signal that does nothing.
for (const [name, m] of [['loop only', noop] as const, ...Object.entries(modules)]) {
  const config = m.configSchema.parse(OVERRIDES[name] ?? {});
  const states = sample.map(() => m.signal.create(config));
  const started = process.hrtime.bigint();
  for (let rep = 0; rep < 5; rep++) {
    for (let s = 0; s < sample.length; s++) {
      const st = rep === 0 ? states[s] : m.signal.create(config);
      for (const e of sample[s]!) m.signal.observe(st, e, config, eventKeys(e));
    }
  }
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${name.padEnd(16)} observe ${((5 * total) / secs / 1e6).toFixed(2)} M events/s`);
}
