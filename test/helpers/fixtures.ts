/**
 * Deterministic test fixtures for the engine: a seeded PRNG, an event-stream generator with
 * honest sellers, brushing sellers and the classic false-positive shapes (flash sale, campus NAT,
 * loyal customer), and three small fake signals (one per family) so that core tests do not depend
 * on the real signal modules.
 */
import type { MarketEvent, OrderEvent, ReviewEvent, SellerContext, SellerSignal, SignalFinding } from '../../src/engine/types.js';

export const T0 = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00Z
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** mulberry32: tiny, fast, the same sequence everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function order(p: Partial<OrderEvent> & { eventId: string; eventTime: number; sellerId: string; buyerId: string }): OrderEvent {
  return {
    kind: 'order',
    orderId: `o-${p.eventId}`,
    status: 'PLACED',
    itemId: 'i-1',
    quantity: 1,
    amountCents: 1999,
    currency: 'USD',
    buyerAccountCreatedAt: T0 - 400 * DAY,
    deviceId: null,
    ipAddress: null,
    shippingAddressHash: null,
    paymentInstrumentHash: null,
    trackingNumber: null,
    carrier: null,
    parcelWeightGrams: null,
    ...p,
  };
}

export function review(p: Partial<ReviewEvent> & { eventId: string; eventTime: number; sellerId: string; buyerId: string }): ReviewEvent {
  return {
    kind: 'review',
    reviewId: `r-${p.eventId}`,
    orderId: null,
    itemId: 'i-1',
    rating: 5,
    text: 'great',
    hasMedia: false,
    deviceId: null,
    ipAddress: null,
    ...p,
  };
}

export interface StreamOptions {
  readonly seed: number;
  /** Honest sellers (plain traffic). */
  readonly honest: number;
  /** Brushing sellers: a few fresh accounts on one device buying again and again. */
  readonly brushers: number;
  readonly hours: number;
  /** Mean orders per honest seller per hour. */
  readonly ordersPerHour: number;
  /** Max displacement of an event from its time-sorted position, in ms (stays < allowed disorder). */
  readonly jitterMs: number;
  /** Include one flash-sale, one campus-NAT and one loyal-customer seller (must not alert). */
  readonly hardNegatives?: boolean;
  readonly start?: number;
}

/**
 * Events in "produced" order: time-sorted, then each line displaced by up to jitterMs of event
 * time, so arrival order differs from event order but stays within the allowed disorder.
 */
export function generateStream(o: StreamOptions): MarketEvent[] {
  const r = rng(o.seed);
  const start = o.start ?? T0;
  const events: MarketEvent[] = [];
  let n = 0;
  const id = () => `e-${(n++).toString(36)}`;
  const at = (h: number) => start + h * HOUR + Math.floor(r() * HOUR);
  for (let h = 0; h < o.hours; h++) {
    for (let s = 0; s < o.honest; s++) {
      const k = Math.floor(r() * 2 * o.ordersPerHour);
      for (let i = 0; i < k; i++) {
        const b = Math.floor(r() * 1_000_000);
        const t = at(h);
        const eventId = id();
        events.push(order({ eventId, eventTime: t, sellerId: `s-${s}`, buyerId: `b-${b}`, deviceId: `d-${b}`, ipAddress: `10.${b % 250}.${(b >> 8) % 250}.1` }));
        if (r() < 0.2) events.push(review({ eventId: id(), eventTime: t + 60_000, sellerId: `s-${s}`, buyerId: `b-${b}`, orderId: `o-${eventId}`, rating: 1 + Math.floor(r() * 5) }));
      }
    }
    for (let s = 0; s < o.brushers; s++) {
      const sellerId = `brush-${s}`;
      for (let i = 0; i < 6; i++) {
        const b = Math.floor(r() * 4);
        const t = at(h);
        events.push(
          order({
            eventId: id(),
            eventTime: t,
            sellerId,
            buyerId: `fake-${s}-${b}`,
            buyerAccountCreatedAt: start - 2 * DAY,
            deviceId: `farm-${s}`,
            ipAddress: '198.51.100.9',
          }),
        );
      }
    }
    if (o.hardNegatives) {
      // Flash sale: a big burst of distinct, established buyers.
      if (h === Math.floor(o.hours / 2))
        for (let i = 0; i < 200; i++) events.push(order({ eventId: id(), eventTime: at(h), sellerId: 'flash', buyerId: `fb-${i}`, deviceId: `fd-${i}` }));
      // Campus NAT: many buyers share one IP, but each has its own device and old account.
      for (let i = 0; i < 3; i++) {
        const b = Math.floor(r() * 500);
        events.push(order({ eventId: id(), eventTime: at(h), sellerId: 'campus', buyerId: `cb-${b}`, deviceId: `cd-${b}`, ipAddress: '192.0.2.1' }));
      }
      // Loyal customer: one old account buying every hour.
      events.push(order({ eventId: id(), eventTime: at(h), sellerId: 'loyal', buyerId: 'regular', deviceId: 'rd' }));
    }
  }
  events.sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));
  return jitter(events, o.jitterMs, r);
}

/** Displaces events by sorting on eventTime + a random offset in [0, maxMs): bounded disorder. */
export function jitter<T extends { eventTime: number }>(events: readonly T[], maxMs: number, r: () => number): T[] {
  const keyed = events.map((e, i) => ({ e, k: e.eventTime + Math.floor(r() * maxMs), i }));
  keyed.sort((a, b) => a.k - b.k || a.i - b.i);
  return keyed.map((x) => x.e);
}

export function toNdjson(events: readonly unknown[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

// ---- fake signals: small, deterministic, plain-data state with caps ----

interface Recent {
  /** [eventTime, buyerId, extra] of PLACED orders within the horizon, oldest first, capped. */
  items: [number, string, string][];
}
const CAP = 500;

function recentSignal(
  name: string,
  family: SignalFinding['family'],
  extra: (e: OrderEvent) => string,
  judge: (items: [number, string, string][], ctx: SellerContext) => SignalFinding | null,
): SellerSignal<Recent, { horizonMs: number }> {
  return {
    name,
    family,
    create: () => ({ items: [] }),
    observe(s, e) {
      if (e.kind !== 'order' || e.status !== 'PLACED') return;
      s.items.push([e.eventTime, e.buyerId, extra(e)]);
      if (s.items.length > CAP) s.items.shift();
    },
    expire(s, now) {
      const limit = now - DAY;
      let i = 0;
      while (i < s.items.length && s.items[i]![0] < limit) i++;
      if (i > 0) s.items.splice(0, i);
    },
    evaluate: (s, ctx) => (s.items.length === 0 ? null : judge(s.items, ctx)),
  };
}

function finding(name: string, family: SignalFinding['family'], value: number, threshold: number, strength: number, buyers: string[]): SignalFinding {
  return { name, family, value, threshold, strength, horizonMs: DAY, baseline: null, explanation: `${name} ${value}`, evidence: { buyerIds: buyers } };
}

/** Concentration: orders per distinct buyer over 24 h ≥ 3. */
export const fakeRepeat = recentSignal('fake_repeat', 'concentration', () => '', (items) => {
  const per = new Map<string, number>();
  for (const [, b] of items) per.set(b, (per.get(b) ?? 0) + 1);
  const ratio = items.length / per.size;
  if (ratio < 3) return null;
  return finding('fake_repeat', 'concentration', ratio, 3, Math.min(1, ratio / 6), [...per.keys()]);
});

/** Account age: share of orders from accounts younger than 7 days (min 5 orders). */
export const fakeFresh = recentSignal(
  'fake_fresh',
  'account_age',
  (e) => (e.eventTime - e.buyerAccountCreatedAt < 7 * DAY ? '1' : '0'),
  (items) => {
    const fresh = items.filter((x) => x[2] === '1');
    const share = fresh.length / items.length;
    if (items.length < 5 || share < 0.5) return null;
    return finding('fake_fresh', 'account_age', share, 0.5, share, [...new Set(fresh.map((x) => x[1]))]);
  },
);

/** Identity: one device used by ≥ 3 distinct buyers. */
export const fakeDevice = recentSignal('fake_device', 'identity', (e) => e.deviceId ?? '', (items) => {
  const byDevice = new Map<string, Set<string>>();
  for (const [, b, d] of items) if (d !== '') byDevice.set(d, (byDevice.get(d) ?? new Set()).add(b));
  let best: [string, Set<string>] | null = null;
  for (const entry of byDevice) if (best === null || entry[1].size > best[1].size) best = entry;
  if (best === null || best[1].size < 3) return null;
  const f = finding('fake_device', 'identity', best[1].size, 3, Math.min(1, best[1].size / 4), [...best[1]]);
  return { ...f, evidence: { ...f.evidence, deviceIds: [best[0]] } };
});

export const FAKE_SIGNALS = [fakeRepeat, fakeFresh, fakeDevice] as const;
