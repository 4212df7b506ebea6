import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, signal } from '../../../../src/engine/signals/reversal-after-review.js';
import type { MarketEvent } from '../../../../src/engine/types.js';
import { DAY, HOUR, T0, ctx, order, review, runSignal } from './part-b-fixtures.js';

const config = configSchema.parse({});

/** Orders reviewed 5★ and then refunded or cancelled, one every `step` ms from `start`. */
function reviewedThenReversed(seller: string, n: number, start: number, step: number): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let k = 0; k < n; k++) {
    const t = start + k * step;
    out.push(order({ t, seller, buyer: `fake${k}`, order: `rv${k}` }));
    out.push(review({ t: t + DAY, seller, buyer: `fake${k}`, order: `rv${k}`, rating: 5 }));
    out.push(order({ t: t + DAY + 6 * HOUR, seller, buyer: `fake${k}`, order: `rv${k}`, status: k % 2 === 0 ? 'REFUNDED' : 'CANCELLED' }));
  }
  return out;
}

test('fires on refunds and cancellations after 5★ reviews of the same orders', () => {
  const events = reviewedThenReversed('s1', 4, T0, 2 * HOUR);
  const { findings } = runSignal(signal, config, events, { until: T0 + 3 * DAY });
  const f = findings.get(T0 + 3 * DAY);
  assert.ok(f);
  assert.equal(f.value, 4);
  assert.equal(f.family, 'reversal');
  assert.deepEqual(f.evidence.orderIds, ['rv0', 'rv1', 'rv2', 'rv3']);
  assert.deepEqual(f.evidence.buyerIds, ['fake0', 'fake1', 'fake2', 'fake3']);
  assert.match(f.explanation, /rv0 5★ then reversed 6 h later/);
});

test('quiet on normal refunds without a review, refunds after a bad review, and reversals before the review', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 20; k++) {
    const t = T0 + k * HOUR;
    events.push(order({ t, seller: 's2', buyer: `b${k}`, order: `o${k}` }));
    events.push(order({ t: t + 2 * DAY, seller: 's2', buyer: `b${k}`, order: `o${k}`, status: 'REFUNDED' }));
    // A 1★ review then a refund is a customer who got a broken item.
    events.push(review({ t: t + DAY, seller: 's2', buyer: `c${k}`, order: `p${k}`, rating: 1 }));
    events.push(order({ t: t + DAY + HOUR, seller: 's2', buyer: `c${k}`, order: `p${k}`, status: 'REFUNDED' }));
    // Refunded first, reviewed 5★ later: not a reversal after a review.
    events.push(order({ t: t + DAY, seller: 's2', buyer: `d${k}`, order: `q${k}`, status: 'CANCELLED' }));
    events.push(review({ t: t + 2 * DAY, seller: 's2', buyer: `d${k}`, order: `q${k}`, rating: 5 }));
  }
  const { findings } = runSignal(signal, config, events);
  assert.equal(findings.size, 0);
});

test('one order reviewed three times, cancelled and refunded counts once; a reversal weeks after the review does not count', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 3; k++) {
    events.push(review({ t: T0 + k * HOUR, seller: 's3', buyer: 'b', order: 'same', rating: 5 }));
  }
  events.push(order({ t: T0 + 5 * HOUR, seller: 's3', buyer: 'b', order: 'same', status: 'CANCELLED' }));
  events.push(order({ t: T0 + 6 * HOUR, seller: 's3', buyer: 'b', order: 'same', status: 'REFUNDED' }));
  for (let k = 0; k < 3; k++) {
    events.push(review({ t: T0 + k * HOUR, seller: 's3', buyer: `l${k}`, order: `late${k}`, rating: 5 }));
    events.push(order({ t: T0 + 20 * DAY, seller: 's3', buyer: `l${k}`, order: `late${k}`, status: 'REFUNDED' }));
  }
  const { findings, state } = runSignal(signal, config, events);
  assert.equal(findings.size, 0);
  assert.ok((state.reversals ?? []).length <= 1);
  // Right after the refund: one reversal, not one per review entry of the order.
  const early = runSignal(signal, config, events.filter((e) => e.eventTime <= T0 + 6 * HOUR), { until: T0 + 7 * HOUR });
  assert.equal(early.state.reversals?.length, 1);
});

test('caps hold after 100k events', () => {
  const events: MarketEvent[] = [];
  for (let k = 0; k < 50_000; k++) {
    events.push(review({ t: T0 + k * 10_000, seller: 's4', buyer: `b${k}`, order: `o${k}`, rating: 5 }));
    events.push(order({ t: T0 + k * 10_000 + 5_000, seller: 's4', buyer: `b${k}`, order: `o${k - 3}`, status: 'REFUNDED' }));
  }
  const { state } = runSignal(signal, config, events);
  assert.ok(state.reviews.length <= config.maxReviews);
  assert.ok((state.reversals ?? []).length <= config.maxEvidence);
});

test('a JSON round-trip of the state continues identically', () => {
  const events = reviewedThenReversed('s5', 8, T0, 3 * HOUR);
  const plain = runSignal(signal, config, events);
  const restored = runSignal(signal, config, events, { restoreAt: T0 + DAY + 12 * HOUR });
  assert.ok(plain.findings.size > 0);
  assert.deepEqual([...restored.findings], [...plain.findings]);
  assert.deepEqual(restored.state, plain.state);
});

test('a state saved with its reversals present while none (every seller had the field) restores and continues identically', () => {
  const events = reviewedThenReversed('s5', 8, T0 + 2 * DAY, 3 * HOUR);
  for (let k = 0; k < 20; k++) events.push(review({ t: T0 + k * HOUR, seller: 's5', buyer: `h${k}`, order: `h${k}`, rating: 5 }));
  const plain = runSignal(signal, config, events);
  assert.ok(plain.findings.size > 0);
  for (const restoreAt of [T0 + HOUR, T0 + DAY, T0 + 2 * DAY + 2 * HOUR, T0 + 3 * DAY + 12 * HOUR]) {
    const restored = runSignal(signal, config, events, { restoreAt, reshape: (saved) => ({ ...saved, reversals: saved.reversals ?? [] }) });
    assert.deepEqual([...restored.findings], [...plain.findings], `restored at ${(restoreAt - T0) / HOUR} h`);
  }
  assert.equal(runSignal(signal, config, events, { until: T0 + DAY }).state.reversals, undefined, 'absent before the first reversal');
});

test('six reversals in a week are full strength for a small shop', () => {
  const events = reviewedThenReversed('s6', 6, T0, 4 * HOUR);
  const { findings } = runSignal(signal, config, events, { until: T0 + 3 * DAY });
  const f = findings.get(T0 + 3 * DAY);
  assert.ok(f);
  assert.equal(f.value, 6);
  assert.equal(f.strength, 1);
});

test("quiet on a big shop's honest returns after good reviews: the count is judged against its orders", () => {
  const events = reviewedThenReversed('s7', 8, T0, 4 * HOUR);
  // 300 orders a day: 8 reversals in a week are under 2 % of its ~2,100 orders.
  for (let k = 0; k < 900; k++) events.push(order({ t: T0 + k * 5 * 60_000, seller: 's7', buyer: `b${k}`, order: `big${k}` }));
  const { findings } = runSignal(signal, config, events, { until: T0 + 3 * DAY });
  assert.equal(findings.size, 0);
  // The same reversals at a shop of a few orders a day fire.
  const small = runSignal(signal, config, reviewedThenReversed('s8', 8, T0, 4 * HOUR), { until: T0 + 3 * DAY });
  assert.ok(small.findings.size > 0);
});

test("a shop whose sales fell is judged against its daily baseline, not only today's orders", () => {
  // Five honest returns after good reviews in a week, at a shop that sold about 60 a day and
  // sells 20 today (a viral product past its peak): under 2 % of its ~420 orders of the week.
  const { state } = runSignal(signal, config, reviewedThenReversed('s9', 5, T0, 6 * HOUR), { until: T0 + 3 * DAY });
  const at = T0 + 3 * DAY;
  assert.equal(signal.evaluate(state, { ...ctx('s9', at, 20), dailyOrdersEwma: 60 }, config), null);
  // With today's 20 orders as the only measure it fired.
  assert.equal(signal.evaluate(state, ctx('s9', at, 20), config)?.value, 5);
});

test('a few reversals after good reviews at a shop of a couple of orders a day stand alone; the same at a busier shop stay weak', () => {
  const { state } = runSignal(signal, config, reviewedThenReversed('s10', 4, T0, 6 * HOUR), { until: T0 + 3 * DAY });
  const at = T0 + 3 * DAY;
  // 4 in a week of ~14 orders: under an honest 2 % that is a chance of about 2e-4 (the count ramp alone gave 0.67).
  const small = signal.evaluate(state, { ...ctx('s10', at, 2), dailyOrdersEwma: 2 }, config);
  assert.ok(small);
  assert.ok(small.strength >= 0.8, `strength ${small.strength}`);
  assert.ok(small.baseline !== null && Math.abs(small.baseline - 0.28) < 1e-9);
  // 4 in a week of ~100 orders (chance ~0.05): the count ramp only.
  const busier = signal.evaluate(state, { ...ctx('s10', at, 14), dailyOrdersEwma: 14 }, config);
  assert.ok(busier);
  assert.ok(busier.strength < 0.8, `strength ${busier.strength}`);
});

test('two reversals after good reviews do not fire, even at a shop of under an order a day (an honest shop reaches that)', () => {
  const { state } = runSignal(signal, config, reviewedThenReversed('s11', 2, T0, 6 * HOUR), { until: T0 + 3 * DAY });
  const at = T0 + 3 * DAY;
  assert.equal(signal.evaluate(state, { ...ctx('s11', at, 0), dailyOrdersEwma: 0.7 }, config), null);
  // A third makes it.
  const three = runSignal(signal, config, reviewedThenReversed('s12', 3, T0, 6 * HOUR), { until: T0 + 3 * DAY });
  assert.equal(signal.evaluate(three.state, { ...ctx('s12', at, 0), dailyOrdersEwma: 0.7 }, config)?.value, 3);
});
