/**
 * Event builders and a small driver for seller-signal tests: it feeds events in canonical order
 * (event time, then eventId), evaluates at every hour boundary the way the core does, and can
 * snapshot the state through JSON or call expire at any point.
 */
import { eventKeys } from '../../../../src/engine/event-keys.js';
import type { MarketEvent, OrderEvent, ReviewEvent, SellerContext, SellerSignal, SignalFinding } from '../../../../src/engine/types.js';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-01-01T00:00:00Z */
export const T0 = 1_767_225_600_000;

let seq = 0;

export function order(o: Partial<OrderEvent> & { buyerId: string; eventTime: number }): OrderEvent {
  seq++;
  return {
    kind: 'order',
    eventId: `e-o-${String(seq).padStart(8, '0')}`,
    orderId: `o-${seq}`,
    status: 'PLACED',
    sellerId: 's-1',
    itemId: 'i-1',
    quantity: 1,
    amountCents: 1999,
    currency: 'USD',
    buyerAccountCreatedAt: o.eventTime - 400 * DAY,
    deviceId: `d-${o.buyerId}`,
    ipAddress: `10.${seq % 200}.${(seq >> 8) % 200}.${seq % 250}`,
    shippingAddressHash: `a-${o.buyerId}`,
    paymentInstrumentHash: `p-${o.buyerId}`,
    trackingNumber: null,
    carrier: null,
    parcelWeightGrams: null,
    ...o,
  };
}

export function review(r: Partial<ReviewEvent> & { buyerId: string; eventTime: number }): ReviewEvent {
  seq++;
  return {
    kind: 'review',
    eventId: `e-r-${String(seq).padStart(8, '0')}`,
    reviewId: `r-${seq}`,
    orderId: null,
    sellerId: 's-1',
    itemId: 'i-1',
    rating: 5,
    text: '',
    hasMedia: false,
    deviceId: null,
    ipAddress: null,
    ...r,
  };
}

export function canonical(events: readonly MarketEvent[]): MarketEvent[] {
  return events
    .slice()
    .sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

export interface Emitted {
  readonly at: number;
  readonly finding: SignalFinding;
}

export interface DriveOptions {
  /** Snapshot the state through JSON.stringify/parse after this many events. */
  readonly roundTripAt?: number;
  /** Call expire at every hour boundary. */
  readonly expireHourly?: boolean;
}

export interface Driven<S> {
  readonly findings: Emitted[];
  readonly state: S;
}

function ctx(at: number): SellerContext {
  return { sellerId: 's-1', at, bucketMs: HOUR, ordersInBucket: 0, orders24h: 0, dailyOrdersEwma: 0, historyDays: 0 };
}

export function drive<S, C>(signal: SellerSignal<S, C>, config: C, events: readonly MarketEvent[], opts: DriveOptions = {}): Driven<S> {
  const sorted = canonical(events);
  let state = signal.create(config);
  const findings: Emitted[] = [];
  if (sorted.length === 0) return { findings, state };
  let boundary = (Math.floor(sorted[0]!.eventTime / HOUR) + 1) * HOUR;
  const close = (upTo: number): void => {
    while (boundary <= upTo) {
      const f = signal.evaluate(state, ctx(boundary), config);
      if (f !== null) findings.push({ at: boundary, finding: f });
      if (opts.expireHourly === true) signal.expire(state, boundary, config);
      boundary += HOUR;
    }
  };
  sorted.forEach((e, i) => {
    close(e.eventTime);
    if (opts.roundTripAt === i) state = JSON.parse(JSON.stringify(state)) as S;
    signal.observe(state, e, config, eventKeys(e));
  });
  close(boundary);
  return { findings, state };
}

/**
 * A saved state as a restore hands it to the signal: a copy, through the signal's revive when it
 * has one (see SellerState.fromSnapshot).
 */
export function revived<S, C>(signal: SellerSignal<S, C>, config: C, saved: unknown): S {
  const copy = structuredClone(saved);
  return signal.revive === undefined ? (copy as S) : signal.revive(copy, config);
}

/**
 * The engine's calls for one seller in the given order (expire, then evaluate, at every hour's
 * end; observe), the state replaced by `saved`, restored (see revived), just before event `swapAt`
 * is observed: how a state written by older code is shown to continue as a fresh one does.
 */
export function replaySwapped<S, C>(
  signal: SellerSignal<S, C>,
  config: C,
  events: readonly MarketEvent[],
  swapAt = -1,
  saved?: unknown,
): { findings: { at: number; f: SignalFinding }[]; state: S } {
  let state = signal.create(config);
  const findings: { at: number; f: SignalFinding }[] = [];
  let boundary = (Math.floor(events[0]!.eventTime / HOUR) + 1) * HOUR;
  const close = (upTo: number): void => {
    for (; boundary <= upTo; boundary += HOUR) {
      signal.expire(state, boundary, config);
      const f = signal.evaluate(state, ctx(boundary), config);
      if (f !== null) findings.push({ at: boundary, f });
    }
  };
  events.forEach((e, i) => {
    close(e.eventTime);
    if (i === swapAt) state = revived(signal, config, saved);
    signal.observe(state, e, config, eventKeys(e));
  });
  close(boundary);
  return { findings, state };
}

/** Deterministic pseudo-random numbers in [0, 1) for building fixtures. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** An ordinary small seller: `perDay` orders a day from mostly distinct aged buyers, for `days` days. */
export function ordinarySeller(days: number, perDay: number, seed = 1, start = T0): OrderEvent[] {
  const r = rng(seed);
  const out: OrderEvent[] = [];
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < perDay; i++) {
      const t = start + d * DAY + Math.floor(r() * DAY);
      out.push(order({ buyerId: `b-${Math.floor(r() * 100_000)}`, eventTime: t }));
    }
  }
  return out;
}

const WORDS = 'kettle handle spout lid enamel bamboo colour box mug gooseneck thermometer crack chip drip boil litre gas induction flow coffee tea'.split(' ');
const GENERIC_TEXTS = ['good', 'Great product, fast shipping!', 'nice', ''];

/**
 * An honest small seller, every event kind: `perDay` orders a day through PLACED, PAID and
 * DELIVERED (2–4 days later), one buyer in ten returning, device/IP/address/payment per buyer,
 * a third reviewed 12 h–4.5 days after delivery, half of those with a free text.
 */
export function honestSeller(seed: number, days = 7, perDay = 50): MarketEvent[] {
  const r = rng(seed + 1);
  const out: MarketEvent[] = [];
  for (let k = 0; k < perDay * days; k++) {
    const t = T0 + Math.floor(r() * days * DAY);
    const buyerId = r() < 0.1 ? `b-${seed}-${Math.floor(r() * 20)}` : `b-${seed}-${k + 100}`;
    const created = t - Math.floor((2 + r() * 900) * DAY);
    const ip = `10.${seed % 250}.${Math.floor(r() * 250)}.${k % 250}`;
    const placed = order({ buyerId, eventTime: t, buyerAccountCreatedAt: created, ipAddress: ip });
    out.push(placed);
    out.push(order({ buyerId, eventTime: t + MIN, orderId: placed.orderId, status: 'PAID', buyerAccountCreatedAt: created, ipAddress: ip }));
    const delivered = t + Math.floor((2 + r() * 2) * DAY);
    out.push(order({ buyerId, eventTime: delivered, orderId: placed.orderId, status: 'DELIVERED', buyerAccountCreatedAt: created, deviceId: null, ipAddress: null }));
    if (r() < 0.33) {
      const words = Array.from({ length: 6 + Math.floor(r() * 8) }, () => WORDS[Math.floor(r() * WORDS.length)]!);
      const text = r() < 0.5 ? words.join(' ') : GENERIC_TEXTS[Math.floor(r() * GENERIC_TEXTS.length)]!;
      out.push(review({ buyerId, eventTime: delivered + Math.floor((0.5 + r() * 4) * DAY), orderId: placed.orderId, rating: r() < 0.7 ? 5 : 4, text, deviceId: placed.deviceId, ipAddress: ip }));
    }
  }
  return out;
}
