/**
 * Event builders and a tiny stand-in for the engine core for the tests of signals 6–10: it feeds
 * a signal one seller's events in canonical order and closes hourly buckets, evaluating at each
 * bucket end (with events up to `graceMs` past it already observed, as the core may do).
 */
import { eventKeys } from '../../../../src/engine/event-keys.js';
import { revived } from './fixtures.js';
import type { MarketEvent, OrderEvent, OrderStatus, ReviewEvent, SellerContext, SellerSignal, SignalFinding } from '../../../../src/engine/types.js';
export { rng } from '../../../helpers/fixtures.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2026-01-01T00:00:00Z, hour-aligned. */
export const T0 = 1_767_225_600_000;

let seq = 0;

export function order(p: {
  t: number;
  seller: string;
  buyer: string;
  order: string;
  status?: OrderStatus;
  item?: string;
  grams?: number | null;
}): OrderEvent {
  return {
    kind: 'order',
    eventId: `e${++seq}`,
    orderId: p.order,
    status: p.status ?? 'PLACED',
    eventTime: p.t,
    sellerId: p.seller,
    buyerId: p.buyer,
    itemId: p.item ?? 'i-1',
    quantity: 1,
    amountCents: 1999,
    currency: 'USD',
    buyerAccountCreatedAt: T0 - 400 * DAY,
    deviceId: null,
    ipAddress: null,
    shippingAddressHash: null,
    paymentInstrumentHash: null,
    trackingNumber: p.status === 'SHIPPED' ? `tr-${p.order}` : null,
    carrier: p.status === 'SHIPPED' ? 'ups' : null,
    parcelWeightGrams: p.grams ?? null,
  };
}

export function review(p: { t: number; seller: string; buyer: string; order: string | null; rating?: number; id?: string }): ReviewEvent {
  return {
    kind: 'review',
    eventId: `e${++seq}`,
    reviewId: p.id ?? `r${seq}`,
    eventTime: p.t,
    orderId: p.order,
    sellerId: p.seller,
    buyerId: p.buyer,
    itemId: 'i-1',
    rating: p.rating ?? 5,
    text: 'great',
    hasMedia: false,
    deviceId: null,
    ipAddress: null,
  };
}

export function canonical(events: readonly MarketEvent[]): MarketEvent[] {
  return [...events].sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

export function ctx(sellerId: string, at: number, orders24h = 0): SellerContext {
  return { sellerId, at, bucketMs: HOUR, ordersInBucket: 0, orders24h, dailyOrdersEwma: 0, historyDays: 0 };
}

export interface Run<S> {
  state: S;
  /** Findings keyed by the bucket end they were evaluated at. */
  findings: Map<number, SignalFinding>;
}

/**
 * Observes all events in canonical order and evaluates at every hour end from the first event's
 * hour to `until` (default: the hour after the last event). `restoreAt` round-trips the state
 * through JSON just before that bucket closes; that state, reshaped, and `state` are restored as a
 * snapshot's are (see revived).
 */
export function runSignal<S, C>(
  signal: SellerSignal<S, C>,
  config: C,
  events: readonly MarketEvent[],
  opts: { graceMs?: number; until?: number; state?: S; restoreAt?: number; reshape?: (saved: S) => S } = {},
): Run<S> {
  const sorted = canonical(events);
  let state = opts.state === undefined ? signal.create(config) : revived(signal, config, opts.state);
  const findings = new Map<number, SignalFinding>();
  if (sorted.length === 0) return { state, findings };
  const grace = opts.graceMs ?? 0;
  const first = Math.floor(sorted[0]!.eventTime / HOUR) * HOUR;
  const until = opts.until ?? Math.floor(sorted[sorted.length - 1]!.eventTime / HOUR) * HOUR + HOUR;
  // PLACED times, for the core's 24 h order count.
  const placed = sorted.filter((e) => e.kind === 'order' && e.status === 'PLACED').map((e) => e.eventTime);
  let lo = 0;
  let hi = 0;
  let i = 0;
  for (let at = first + HOUR; at <= until; at += HOUR) {
    while (i < sorted.length && sorted[i]!.eventTime < at + grace) {
      const e = sorted[i++]!;
      signal.observe(state, e, config, eventKeys(e));
    }
    if (opts.restoreAt === at) {
      const saved = JSON.parse(JSON.stringify(state)) as S;
      state = revived(signal, config, opts.reshape === undefined ? saved : opts.reshape(saved));
    }
    while (hi < placed.length && placed[hi]! < at) hi++;
    while (lo < hi && placed[lo]! < at - DAY) lo++;
    const f = signal.evaluate(state, ctx(sorted[0]!.sellerId, at, hi - lo), config);
    if (f !== null) findings.set(at, f);
    signal.expire(state, at, config);
  }
  return { state, findings };
}

