import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSimulation, simulate } from '../../../src/sim/simulator.js';
import { SCENARIOS } from '../../../src/sim/scenarios.js';
import { TYPOLOGIES, HARD_NEGATIVE_KINDS } from '../../../src/sim/truth.js';
import type { MarketEvent, OrderEvent } from '../../../src/engine/types.js';

function digest(seed: number): { hash: string; events: MarketEvent[]; truth: unknown } {
  const sim = createSimulation(SCENARIOS.tiny, seed);
  const h = createHash('sha256');
  const events: MarketEvent[] = [];
  for (const ev of sim.events()) {
    h.update(JSON.stringify(ev) + '\n');
    events.push(ev);
  }
  h.update(JSON.stringify(sim.truth));
  return { hash: h.digest('hex'), events, truth: sim.truth };
}

const one = digest(7);

test('same seed gives identical bytes, another seed different ones', () => {
  assert.equal(digest(7).hash, one.hash);
  assert.notEqual(digest(8).hash, one.hash);
});

test('the async stream yields the same events as the generator', async () => {
  let i = 0;
  for await (const ev of simulate(SCENARIOS.tiny, 7)) assert.deepEqual(ev, one.events[i++]);
  assert.equal(i, one.events.length);
});

test('events follow the contract: fields, statuses, times inside the run', () => {
  const { events } = one;
  const t = createSimulation(SCENARIOS.tiny, 7).truth.scenario;
  assert.ok(events.length > 10_000);
  for (const e of events) {
    assert.ok(e.eventTime >= t.start && e.eventTime < t.end);
    if (e.kind === 'order') {
      assert.ok(e.quantity >= 1 && e.amountCents >= 0);
      assert.ok(e.buyerAccountCreatedAt <= e.eventTime, `account created after order ${e.eventId}`);
      assert.equal(e.trackingNumber !== null, e.status === 'SHIPPED');
    } else {
      assert.ok(e.rating >= 1 && e.rating <= 5 && Number.isInteger(e.rating));
    }
  }
  const statuses = new Set(events.filter((e): e is OrderEvent => e.kind === 'order').map((e) => e.status));
  assert.deepEqual([...statuses].sort(), ['CANCELLED', 'DELIVERED', 'PAID', 'PLACED', 'REFUNDED', 'SHIPPED']);
});

test('disorder: emission order is not event-time order, and a few eventIds repeat', () => {
  let inversions = 0;
  for (let i = 1; i < one.events.length; i++) if (one.events[i]!.eventTime < one.events[i - 1]!.eventTime) inversions++;
  assert.ok(inversions > 100);
  const ids = new Set(one.events.map((e) => e.eventId));
  const dups = one.events.length - ids.size;
  assert.ok(dups > 0 && dups < one.events.length * 0.01);
});

test('truth plants every typology and every hard-negative kind, with the sellers and buyers seen in the events', () => {
  const truth = one.truth as ReturnType<typeof createSimulation>['truth'];
  assert.deepEqual([...new Set(truth.campaigns.map((c) => c.typology))].sort(), [...TYPOLOGIES].sort());
  assert.deepEqual([...new Set(truth.hardNegatives.map((n) => n.kind))].sort(), [...HARD_NEGATIVE_KINDS].sort());
  const sellers = new Set(one.events.map((e) => e.sellerId));
  const buyers = new Set(one.events.map((e) => e.buyerId));
  for (const c of truth.campaigns) {
    assert.ok(c.start > 0 && c.end >= c.start, c.id);
    // 0: the trait never showed before the run ended (e.g. reviews due after the last day).
    assert.ok(c.evidenceStart === 0 || (c.evidenceStart >= c.start && c.evidenceStart <= c.end), `${c.id} evidence inside the campaign`);
    if (c.typology !== 'review_text' && c.typology !== 'review_timing' && c.typology !== 'refund_after_review') assert.ok(c.evidenceStart > 0, c.id);
    assert.ok(c.fakeOrders + c.fakeReviews > 0, c.id);
    for (const s of c.sellerIds) assert.ok(sellers.has(s), `${c.id} seller ${s}`);
    assert.ok(c.fakeBuyerIds.some((b) => buyers.has(b)), c.id);
  }
  const ring = truth.campaigns.find((c) => c.typology === 'collusion_ring')!;
  assert.ok(ring.sellerIds.length >= 3);
  for (const n of truth.hardNegatives) assert.ok(sellers.has(n.sellerId), n.kind);
});

test('planted behaviour is in the events: empty parcels weigh a few grams, unverified reviews have no order', () => {
  const truth = one.truth as ReturnType<typeof createSimulation>['truth'];
  const empty = truth.campaigns.find((c) => c.typology === 'empty_parcels')!;
  const fake = new Set(empty.fakeBuyerIds);
  const light = one.events.filter((e) => e.kind === 'order' && e.status === 'SHIPPED' && e.sellerId === empty.sellerIds[0] && fake.has(e.buyerId));
  assert.ok(light.length > 0 && light.every((e) => e.kind === 'order' && e.parcelWeightGrams! <= 40));
  const unv = truth.campaigns.find((c) => c.typology === 'unverified_reviews')!;
  const reviews = one.events.filter((e) => e.kind === 'review' && e.sellerId === unv.sellerIds[0] && e.orderId === null);
  assert.ok(reviews.length >= 5);
});
