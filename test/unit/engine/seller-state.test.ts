import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SellerState } from '../../../src/engine/seller-state.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 1);

test('orders per bucket over the last 24 h: the ring wraps and old buckets fall out', () => {
  const s = new SellerState('s', 0, 24);
  s.firstEventTime = T0;
  for (let h = 0; h < 30; h++) for (let i = 0; i <= h % 3; i++) s.countOrder(T0 + h * H + i, H, 0.1);
  const ctx = s.context(T0 + 30 * H, H, 0.1);
  assert.equal(ctx.ordersInBucket, 30 % 3 === 0 ? 3 : (29 % 3) + 1);
  // Hours 6..29 are the last 24: each contributes (h % 3) + 1.
  let expected = 0;
  for (let h = 6; h < 30; h++) expected += (h % 3) + 1;
  assert.equal(ctx.orders24h, expected);
  // A day later with nothing new, the window is empty.
  assert.equal(s.context(T0 + 60 * H, H, 0.1).orders24h, 0);
});

test('the daily EWMA starts at the first full day and decays over empty days', () => {
  const s = new SellerState('s', 0, 24);
  s.firstEventTime = T0;
  for (let i = 0; i < 10; i++) s.countOrder(T0 + i * H, H, 0.5);
  for (let i = 0; i < 20; i++) s.countOrder(T0 + D + i * H, H, 0.5);
  assert.equal(s.context(T0 + 2 * D, H, 0.5).dailyOrdersEwma, 15);
  // Two empty days halve it twice.
  const later = s.context(T0 + 4 * D, H, 0.5);
  assert.equal(later.dailyOrdersEwma, 3.75);
  assert.equal(later.historyDays, 4);
});

test('a snapshot is plain JSON and restores to the same state', () => {
  const s = new SellerState('s', 1, 24);
  s.firstEventTime = T0;
  s.countOrder(T0, H, 0.1);
  s.states[0] = { n: 1 };
  const snap = JSON.parse(JSON.stringify(s.snapshot(['sig'])));
  const r = SellerState.fromSnapshot('s', snap, ['sig'], 24);
  assert.deepEqual(r.snapshot(['sig']), s.snapshot(['sig']));
  assert.deepEqual(r.states, [{ n: 1 }]);
});
