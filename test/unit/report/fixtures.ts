/**
 * Hand-made alerts and events for the report tests: seller s-ring-1 (HIGH, repeat buyers sharing
 * devices, opened then updated), seller s-hostile (a CRITICAL ring alert whose text tries HTML
 * injection), and quiet traffic of seller s-clean that has no alert.
 */
import type { Alert, MarketEvent, OrderEvent, ReviewEvent, SignalFinding } from '../../../src/engine/types.js';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const H = 3_600_000;

export const HOSTILE = '<script>alert(1)</script>"\'&';

function order(i: number, seller: string, buyer: string, at: number, status: OrderEvent['status'] = 'PLACED'): OrderEvent {
  return {
    kind: 'order', eventId: `e-o-${seller}-${i}-${status}`, orderId: `o-${seller}-${i}`, status, eventTime: at, sellerId: seller, buyerId: buyer,
    itemId: 'i-1', quantity: 1, amountCents: 1299, currency: 'USD', buyerAccountCreatedAt: at - 2 * 86_400_000,
    deviceId: `d-${buyer.length % 3}`, ipAddress: '203.0.113.7', shippingAddressHash: `a-${buyer}`, paymentInstrumentHash: 'p-shared',
    trackingNumber: null, carrier: null, parcelWeightGrams: null,
  };
}

function review(i: number, seller: string, buyer: string, at: number, rating: number, orderId: string | null, text = 'great'): ReviewEvent {
  return {
    kind: 'review', eventId: `e-r-${seller}-${i}`, reviewId: `r-${seller}-${i}`, eventTime: at, orderId, sellerId: seller, buyerId: buyer,
    itemId: 'i-1', rating, text, hasMedia: false, deviceId: null, ipAddress: null,
  };
}

export function makeEvents(): MarketEvent[] {
  const out: MarketEvent[] = [];
  // s-ring-1: a day of ordinary orders, then a burst of 30 orders by 5 buyers in hours 30..34.
  for (let i = 0; i < 24; i++) out.push(order(i, 's-ring-1', `b-regular-${i}`, T0 + i * H), review(i, 's-ring-1', `b-regular-${i}`, T0 + i * H + 20 * H, 4, `o-s-ring-1-${i}`));
  for (let i = 100; i < 130; i++) {
    const buyer = `b-fake-${i % 5}`;
    const at = T0 + 30 * H + (i - 100) * 8 * 60_000;
    out.push(order(i, 's-ring-1', buyer, at), review(i, 's-ring-1', buyer, at + H, 5, `o-s-ring-1-${i}`, 'Great seller!! fast shipping'));
  }
  out.push(order(101, 's-ring-1', 'b-fake-1', T0 + 40 * H, 'REFUNDED'));
  // s-hostile: a few orders whose review text is hostile markup.
  for (let i = 0; i < 6; i++) out.push(order(i, 's-hostile', `b-h-${i}`, T0 + 31 * H + i * H), review(i, 's-hostile', `b-h-${i}`, T0 + 32 * H + i * H, 5, null, HOSTILE));
  // s-clean: never alerted, must not be drawn.
  for (let i = 0; i < 10; i++) out.push(order(i, 's-clean', `b-c-${i}`, T0 + i * H));
  return out;
}

function finding(over: Partial<SignalFinding>): SignalFinding {
  return {
    name: 'repeat_buyers', family: 'concentration', value: 0.6, threshold: 0.3, strength: 0.8, horizonMs: 6 * H, baseline: 0.05,
    explanation: '5 buyers placed 30 of 30 orders in 4 h', evidence: {}, ...over,
  };
}

function alert(over: Partial<Alert>): Alert {
  return {
    schemaVersion: 1, alertId: 'a-0', incidentId: 'inc-0', sequence: 0, action: 'OPEN', scope: 'SELLER', sellerId: 's-ring-1',
    severity: 'HIGH', score: 0.71, windowStart: T0 + 30 * H, windowEnd: T0 + 34 * H, detectedAt: T0 + 34 * H + 60_000, signals: [],
    evidence: { buyerIds: [], deviceIds: [], ipPrefixes: [], addressHashes: [], paymentHashes: [], orderIds: [], reviewIds: [], ringSellerIds: [] },
    ...over,
  };
}

export function makeAlerts(): Alert[] {
  const fakeBuyers = ['b-fake-0', 'b-fake-1', 'b-fake-2', 'b-fake-3', 'b-fake-4'];
  const signals = [
    finding({ evidence: { buyerIds: fakeBuyers } }),
    finding({ name: 'shared_devices', family: 'identity', value: 5, threshold: 3, strength: 0.5, baseline: null, explanation: '5 buyers share 2 devices', evidence: { deviceIds: ['d-0', 'd-1'] } }),
  ];
  const evidence = {
    buyerIds: fakeBuyers, deviceIds: ['d-0', 'd-1'], ipPrefixes: ['203.0.113.0/24'], addressHashes: ['a-b-fake-0'], paymentHashes: ['p-shared'],
    orderIds: ['o-s-ring-1-100', 'o-s-ring-1-101', 'o-s-ring-1-102'], reviewIds: ['r-s-ring-1-100'], ringSellerIds: [],
  };
  return [
    alert({ alertId: 'a-open', signals: signals.slice(0, 1), evidence: { ...evidence, deviceIds: [] } }),
    alert({ alertId: 'a-update', sequence: 1, action: 'UPDATE', score: 0.83, windowEnd: T0 + 35 * H, detectedAt: T0 + 35 * H, signals, evidence }),
    alert({
      alertId: 'a-hostile', incidentId: 'inc-h', sellerId: 's-hostile', scope: 'RING', severity: 'CRITICAL', score: 0.95,
      windowStart: T0 + 31 * H, windowEnd: T0 + 37 * H, detectedAt: T0 + 37 * H,
      signals: [finding({ name: `ring_${HOSTILE}`, family: 'ring', value: 0.9, threshold: 0.5, explanation: `shared pool ${HOSTILE}` })],
      evidence: { ...evidence, buyerIds: [`b-${HOSTILE}`], orderIds: [], reviewIds: ['r-s-hostile-0'], ringSellerIds: ['s-hostile', 's-ring-1', 's-elsewhere'] },
    }),
  ];
}
