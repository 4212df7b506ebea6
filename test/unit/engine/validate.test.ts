import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptEvent, checkEvent, validateEvent } from '../../../src/engine/validate.js';
import { order, review, T0, DAY } from '../../helpers/fixtures.js';

const good = () => ({ ...order({ eventId: 'e-1', eventTime: T0, sellerId: 's', buyerId: 'b' }) }) as Record<string, unknown>;
const goodReview = () => ({ ...review({ eventId: 'e-2', eventTime: T0, sellerId: 's', buyerId: 'b' }) }) as Record<string, unknown>;

function reject(raw: unknown, reason: string, detailPart: string) {
  const v = validateEvent(raw);
  assert.equal(v.ok, false, `expected rejection for ${JSON.stringify(raw)}`);
  if (!v.ok) {
    assert.equal(v.reason, reason);
    assert.match(v.detail, new RegExp(detailPart));
  }
}

test('a valid order comes back frozen with exactly the contract fields, extras dropped, optionals null', () => {
  const raw = good();
  delete raw['deviceId'];
  raw['extra'] = 'ignored';
  const v = validateEvent(raw);
  assert.ok(v.ok);
  assert.ok(Object.isFrozen(v.event));
  assert.equal(Object.keys(v.event).length, 19);
  assert.equal((v.event as unknown as Record<string, unknown>)['extra'], undefined);
  assert.equal(v.event.kind === 'order' && v.event.deviceId, null);
});

test('a valid review, including an unverified one with orderId missing', () => {
  const raw = goodReview();
  delete raw['orderId'];
  const v = validateEvent(raw);
  assert.ok(v.ok);
  assert.equal(v.event.kind === 'review' && v.event.orderId, null);
  assert.deepEqual(Object.keys(v.event), ['kind', 'eventId', 'reviewId', 'eventTime', 'orderId', 'sellerId', 'buyerId', 'itemId', 'rating', 'text', 'hasMedia', 'deviceId', 'ipAddress']);
});

test('not an object, unknown or missing kind', () => {
  reject('x', 'NOT_AN_OBJECT', 'JSON object');
  reject(null, 'NOT_AN_OBJECT', 'null');
  reject([1], 'NOT_AN_OBJECT', 'array');
  reject({ ...good(), kind: 'refund' }, 'UNKNOWN_KIND', 'refund');
  const noKind = good();
  delete noKind['kind'];
  reject(noKind, 'MISSING_FIELD', 'kind');
});

test('missing and mistyped fields name the field', () => {
  const m = good();
  delete m['sellerId'];
  reject(m, 'MISSING_FIELD', 'sellerId');
  reject({ ...good(), amountCents: '12' }, 'WRONG_TYPE', 'amountCents');
  reject({ ...good(), quantity: 1.5 }, 'WRONG_TYPE', 'quantity');
  reject({ ...good(), eventTime: '2026-01-01' }, 'WRONG_TYPE', 'eventTime');
  reject({ ...goodReview(), hasMedia: 'yes' }, 'WRONG_TYPE', 'hasMedia');
  reject({ ...goodReview(), text: null }, 'WRONG_TYPE', 'text');
  reject({ ...good(), deviceId: 7 }, 'WRONG_TYPE', 'deviceId');
});

test('range rules: rating 9, negative amount, zero quantity, empty id, odd currency, absurd times', () => {
  reject({ ...goodReview(), rating: 9 }, 'OUT_OF_RANGE', 'rating must be in 1..5');
  reject({ ...goodReview(), rating: 0 }, 'OUT_OF_RANGE', 'rating');
  reject({ ...good(), amountCents: -1 }, 'OUT_OF_RANGE', 'amountCents');
  reject({ ...good(), quantity: 0 }, 'OUT_OF_RANGE', 'quantity');
  reject({ ...good(), buyerId: '' }, 'OUT_OF_RANGE', 'buyerId');
  reject({ ...good(), currency: 'usd' }, 'OUT_OF_RANGE', 'currency');
  reject({ ...good(), eventTime: 5 }, 'OUT_OF_RANGE', 'eventTime');
  reject({ ...good(), eventTime: 9e15 }, 'OUT_OF_RANGE', 'eventTime');
  reject({ ...good(), parcelWeightGrams: -3 }, 'OUT_OF_RANGE', 'parcelWeightGrams');
  reject({ ...good(), buyerAccountCreatedAt: T0 + DAY }, 'OUT_OF_RANGE', 'buyerAccountCreatedAt');
});

test('unknown status', () => {
  reject({ ...good(), status: 'LOST' }, 'UNKNOWN_STATUS', 'LOST');
});

test('never throws, even on hostile input', () => {
  const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
  const v = validateEvent(hostile);
  assert.equal(v.ok, false);
});

/** Per field, values that break it (each alone in an otherwise valid record). */
const long = 'x'.repeat(257);
const ids = [undefined, '', 5, long, null];
const optIds = ['', 5, long, true];
const ints = [undefined, 1.5, '3', Number.NaN, Number.POSITIVE_INFINITY, null];
const bad: Record<string, readonly unknown[]> = {
  eventId: ids,
  orderId: ids,
  status: [undefined, 'placed', 3],
  eventTime: [...ints, 0, 5e12],
  sellerId: ids,
  buyerId: ids,
  itemId: ids,
  quantity: [...ints, 0],
  amountCents: [...ints, -1],
  currency: [undefined, 'usd', 'USDX', 'U$D', 3],
  buyerAccountCreatedAt: [...ints, T0 + 2 * 3_600_000],
  deviceId: optIds,
  ipAddress: optIds,
  shippingAddressHash: optIds,
  paymentInstrumentHash: optIds,
  trackingNumber: optIds,
  carrier: optIds,
  parcelWeightGrams: [-1, 1.5, '3'],
};
const badReview: Record<string, readonly unknown[]> = {
  eventId: ids,
  reviewId: ids,
  eventTime: ints,
  orderId: optIds,
  sellerId: ids,
  buyerId: ids,
  itemId: ids,
  rating: [...ints, 0, 6],
  text: [undefined, null, 5, 'x'.repeat(20_001)],
  hasMedia: [undefined, null, 'true', 1],
  deviceId: optIds,
  ipAddress: optIds,
};

test('every single-field corruption of a valid order or review is rejected (the fast path accepts nothing the rules refuse)', () => {
  for (const [field, values] of Object.entries(bad))
    for (const v of values) {
      const raw = good();
      raw[field] = v;
      assert.equal(validateEvent(raw).ok, false, `order ${field} = ${String(v)}`);
    }
  for (const [field, values] of Object.entries(badReview))
    for (const v of values) {
      const raw = goodReview();
      raw[field] = v;
      assert.equal(validateEvent(raw).ok, false, `review ${field} = ${String(v)}`);
    }
});

/** A record as the NDJSON event parser builds it: the kind's contract fields in order, absent optionals undefined. */
function parserShaped(raw: Record<string, unknown>): Record<string, unknown> {
  const v = validateEvent(raw);
  assert.ok(v.ok);
  const rec: Record<string, unknown> = {};
  for (const k of Object.keys(v.event)) rec[k] = raw[k];
  return rec;
}

test('adoptEvent keeps a valid record itself, completed and frozen, equal to the copy checkEvent makes', () => {
  for (const raw of [good(), goodReview()]) {
    delete raw['deviceId'];
    const rec = parserShaped(raw);
    assert.equal(rec['deviceId'], undefined);
    const copy = checkEvent({ ...rec }, 3_600_000);
    const kept = adoptEvent(rec, 3_600_000);
    assert.equal(kept, rec);
    assert.ok(Object.isFrozen(kept));
    assert.deepEqual(Object.entries(kept), Object.entries(copy));
  }
});

test('adoptEvent refuses exactly what checkEvent refuses, with the same reason, and leaves the record alone', () => {
  const cases: [() => Record<string, unknown>, Record<string, readonly unknown[]>][] = [
    [good, bad],
    [goodReview, badReview],
  ];
  for (const [make, table] of cases)
    for (const [field, values] of Object.entries(table))
      for (const v of values) {
        const rec = parserShaped(make());
        rec[field] = v;
        const before = JSON.stringify(Object.entries(rec));
        const expected = checkEvent({ ...rec }, 3_600_000);
        assert.deepEqual(adoptEvent(rec, 3_600_000), expected, `${String(rec['kind'])} ${field} = ${String(v)}`);
        assert.equal(JSON.stringify(Object.entries(rec)), before);
        assert.ok(!Object.isFrozen(rec));
      }
});
