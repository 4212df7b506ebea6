import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventKeys } from '../../../src/engine/event-keys.js';
import { hash32 } from '../../../src/engine/sketch/hash.js';
import { order, review } from '../../helpers/fixtures.js';

const T0 = Date.UTC(2026, 0, 1);

test('an order: the buyer and order hashes every signal used to compute itself', () => {
  const k = eventKeys(order({ eventId: 'e-1', eventTime: T0, sellerId: 's-1', buyerId: 'b-1', orderId: 'o-1' }));
  assert.equal(k.buyer, hash32('b-1'));
  assert.equal(k.order, hash32('o-1'));
  assert.notEqual(k.buyer, k.order);
});

test('a review without an order has order hash 0; with one, its hash', () => {
  assert.equal(eventKeys(review({ eventId: 'e-2', eventTime: T0, sellerId: 's-1', buyerId: 'b-2', orderId: null })).order, 0);
  assert.equal(eventKeys(review({ eventId: 'e-3', eventTime: T0, sellerId: 's-1', buyerId: 'b-2', orderId: 'o-9' })).order, hash32('o-9'));
});

test('the object passed in is refilled, not replaced, so the engine allocates none per event', () => {
  const into = { buyer: 0, order: 0 };
  const k = eventKeys(order({ eventId: 'e-4', eventTime: T0, sellerId: 's-1', buyerId: 'b-4', orderId: 'o-4' }), into);
  assert.equal(k, into);
  eventKeys(review({ eventId: 'e-5', eventTime: T0, sellerId: 's-1', buyerId: 'b-5', orderId: null }), into);
  assert.deepEqual(into, { buyer: hash32('b-5'), order: 0 });
});
