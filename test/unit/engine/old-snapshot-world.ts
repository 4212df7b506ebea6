/**
 * The events behind old-snapshot-e30693c.json: four honest shops and two farms over seven days, every
 * event kind, so that each seller signal holds state when the snapshot is taken (CUT). The fixture
 * was written by the engine of commit e30693c, whose signal states are in layouts older than most
 * of today's conversions:
 *
 *   git archive e30693c src | tar -x -C /tmp/old    (node_modules linked in)
 *   feed world() before CUT to /tmp/old/src/engine's Engine (default config), drainAlerts(), then
 *   write { snapshot: JSON of engine.snapshot(), alerts } with `alerts` from restoring that
 *   snapshot by the code before revive (a6a1f78), ingesting the rest and finish() (see ALERT_KEY).
 */
import type { Alert, MarketEvent } from '../../../src/engine/types.js';
import { DAY, HOUR, order, review, rng, T0 } from '../../helpers/fixtures.js';

export const CUT = T0 + 4 * DAY + 12 * HOUR;

const MIN = 60_000;
const TEXTS = ['works as described', 'arrived late but fine', 'good value for the price', 'the lid is a bit loose', 'my second one, still happy', 'nice colour'];
const SCRIPT = 'Amazing quality, exactly as pictured, fast shipping, highly recommend this seller!';

export function world(): MarketEvent[] {
  const r = rng(41);
  const out: MarketEvent[] = [];
  let n = 0;
  const id = (): string => `e-${(n++).toString(36)}`;
  // Honest shops: distinct aged buyers, parcels of their item's weight, a third reviewed days after delivery.
  for (let s = 0; s < 4; s++) {
    const sellerId = `shop-${s}`;
    for (let k = 0; k < 7 * 16; k++) {
      const t = T0 + Math.floor(r() * 7 * DAY);
      const buyerId = `b-${s}-${r() < 0.1 ? Math.floor(r() * 10) : k + 100}`;
      const item = `i-${s}-${k % 3}`;
      const base = { sellerId, buyerId, itemId: item, buyerAccountCreatedAt: t - Math.floor((30 + r() * 900) * DAY), deviceId: `d-${buyerId}`, ipAddress: `10.${s}.${k % 250}.${Math.floor(r() * 250)}`, shippingAddressHash: `a-${buyerId}`, paymentInstrumentHash: `p-${buyerId}` };
      const placed = order({ ...base, eventId: id(), eventTime: t });
      out.push(placed, order({ ...base, eventId: id(), eventTime: t + MIN, orderId: placed.orderId, status: 'PAID' }));
      out.push(order({ ...base, eventId: id(), eventTime: t + DAY, orderId: placed.orderId, status: 'SHIPPED', parcelWeightGrams: 400 + (k % 3) * 150 + Math.floor(r() * 40) }));
      const delivered = t + 3 * DAY;
      out.push(order({ ...base, eventId: id(), eventTime: delivered, orderId: placed.orderId, status: 'DELIVERED' }));
      if (r() < 0.33) out.push(review({ sellerId, buyerId, itemId: item, eventId: id(), eventTime: delivered + Math.floor((0.5 + r() * 3) * DAY), orderId: placed.orderId, rating: r() < 0.7 ? 5 : 4, text: TEXTS[Math.floor(r() * TEXTS.length)]! }));
    }
  }
  // Two farms: a trickle of their own, then batches of days-old accounts ordering again and again,
  // empty parcels, 5-star copies of one script minutes after delivery or before it, unverified
  // reviews, and refunds after the reviews. The second starts just before CUT.
  for (const [farm, days] of [['farm-1', [2, 3, 4, 5]], ['farm-2', [4, 5, 6]]] as const) {
    for (let k = 0; k < 20; k++) {
      const t = T0 + Math.floor(r() * 7 * DAY);
      const buyerId = `b-${farm}-${k}`;
      out.push(order({ sellerId: farm, buyerId, itemId: 'i-f', eventId: id(), eventTime: t, deviceId: `d-${buyerId}` }));
    }
    for (const day of days) {
      const start = T0 + day * DAY + 10 * HOUR;
      for (let a = 0; a < 8; a++) {
        const buyerId = `b-fake-${farm}-${day}-${a}`;
        const base = { sellerId: farm, buyerId, itemId: 'i-f', buyerAccountCreatedAt: start - 2 * DAY, deviceId: `d-${farm}-${a % 2}`, ipAddress: '198.51.100.9', shippingAddressHash: `a-${farm}`, paymentInstrumentHash: `p-${farm}-${a % 3}` };
        for (let k = 0; k < 3; k++) {
          const t = start + (a * 3 + k) * 4 * MIN;
          const placed = order({ ...base, eventId: id(), eventTime: t });
          out.push(placed, order({ ...base, eventId: id(), eventTime: t + 2 * HOUR, orderId: placed.orderId, status: 'SHIPPED', parcelWeightGrams: 12 }));
          const delivered = t + (k === 2 ? 2 * DAY : 6 * HOUR);
          out.push(order({ ...base, eventId: id(), eventTime: delivered, orderId: placed.orderId, status: 'DELIVERED' }));
          const reviewed = k === 2 ? t + 5 * HOUR : delivered + 10 * MIN;
          out.push(review({ sellerId: farm, buyerId, itemId: 'i-f', eventId: id(), eventTime: reviewed, orderId: placed.orderId, rating: 5, text: SCRIPT, deviceId: base.deviceId, ipAddress: base.ipAddress }));
          if (k === 0 && a % 2 === 0) out.push(order({ ...base, eventId: id(), eventTime: reviewed + 20 * HOUR, orderId: placed.orderId, status: 'REFUNDED' }));
        }
        out.push(review({ sellerId: farm, buyerId: `${buyerId}-u`, itemId: 'i-f', eventId: id(), eventTime: start + a * 5 * MIN, rating: 5, text: SCRIPT }));
      }
    }
  }
  return out.sort((a, b) => a.eventTime - b.eventTime || (a.eventId < b.eventId ? -1 : 1));
}

/** What an alert is compared by: deterministic ids cover the seller, incident, sequence and action. */
export function alertKey(a: Alert): string {
  return `${a.alertId} ${a.sellerId} ${a.action} ${a.severity} ${a.score} ${a.signals.map((s) => s.name).join(',')}`;
}
