import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBuyerIds, scanShop, SHOPEE_RULE, type TimedOrder } from '../../../src/engine/any-hour-window.js';

const H = 3600;
const o = (time: number, buyer: string): TimedOrder => ({ time, buyer });

test('no orders and too few orders do not brush', () => {
  assert.equal(scanShop([]).brushing, false);
  const s = scanShop([o(0, '1'), o(10, '1')]);
  assert.equal(s.brushing, false);
  assert.equal(s.maxRate, 2);
});

test('three orders of one buyer in an hour brush, and that buyer is suspicious', () => {
  const s = scanShop([o(100, '7'), o(200, '7'), o(300, '7')]);
  assert.equal(s.brushing, true);
  assert.deepEqual(s.suspiciousBuyers, ['7']);
  assert.equal(s.topCount, 3);
  assert.equal(s.brushingOrders, 3);
});

test('both ends are included: orders exactly one hour apart share a window', () => {
  assert.equal(scanShop([o(0, '1'), o(1800, '1'), o(H, '1')]).brushing, true);
  assert.equal(scanShop([o(0, '1'), o(1800, '1'), o(H + 1, '1')]).brushing, false);
});

test('orders in the same second count as separate orders', () => {
  const s = scanShop([o(50, '1'), o(50, '1'), o(50, '1'), o(50, '2'), o(50, '2'), o(50, '2')]);
  assert.equal(s.brushing, true);
  assert.equal(s.brushingOrders, 6);
  assert.deepEqual(s.suspiciousBuyers, ['1', '2']);
});

test('a window that must start before the first order: a later order has to fall outside', () => {
  // 1 order of B at 0, 3 of A at 3000..3500, then B at 3700: [0,3600] has 4 orders / 2 buyers;
  // only a window starting before the first order of A and ending before 3700 ... [-99, 3501]
  // still holds B@0, so the brushing window is one that starts after 0: [1, 3601] holds A×3 only.
  const s = scanShop([o(0, 'B'), o(3000, 'A'), o(3200, 'A'), o(3500, 'A'), o(3700, 'B')]);
  assert.equal(s.brushing, true);
  assert.deepEqual(s.suspiciousBuyers, ['A']);
  assert.equal(s.brushingOrders, 3);
});

test('a window may leave out one order before it and one after it at the same time', () => {
  // Any window anchored at an order's start or end holds C@0 or C@3700 with the A orders:
  // 4 orders / 2 buyers = 2. Only starts in [1, 99] hold exactly A×3 (rate 3).
  const orders = [o(0, 'C'), o(100, 'A'), o(2000, 'A'), o(3600, 'A'), o(3700, 'C')];
  const s = scanShop(orders);
  assert.equal(s.brushing, true);
  assert.deepEqual(s.suspiciousBuyers, ['A']);
  assert.equal(s.brushingOrders, 3);
  assert.deepEqual(s.periods, [{ start: 1, end: 99 + H, orders: 3 }]);
});

test('orders outside every brushing window do not count towards the suspicious buyer', () => {
  // A brushes once (3 orders); B has 5 orders spread over days, none in a brushing window.
  const orders = [o(0, 'A'), o(60, 'A'), o(120, 'A')];
  for (let d = 1; d <= 5; d++) orders.push(o(d * 86_400, 'B'));
  const s = scanShop(orders);
  assert.deepEqual(s.suspiciousBuyers, ['A']);
  assert.equal(s.brushingOrders, 3);
});

test('ties list every top buyer, smallest number first', () => {
  // Two brushing periods, three orders each (the contest's case 4).
  const orders = [o(0, '214208720'), o(10, '214208720'), o(20, '214208720'), o(10 * H, '101832161'), o(10 * H + 5, '101832161'), o(10 * H + 9, '101832161')];
  const s = scanShop(orders);
  assert.deepEqual(s.suspiciousBuyers, ['101832161', '214208720']);
  assert.equal(s.periods.length, 2);
});

test('orders in overlapping brushing windows are counted once', () => {
  const orders = [o(0, 'A'), o(1000, 'A'), o(2000, 'A'), o(3000, 'A'), o(4000, 'A'), o(4100, 'B'), o(4200, 'B')];
  const s = scanShop(orders);
  assert.equal(s.brushingOrders, 7);
  assert.equal(s.topCount, 5);
  assert.deepEqual(s.suspiciousBuyers, ['A']);
});

test('rate is compared exactly: 6 orders by 2 buyers brush, 5 by 2 do not', () => {
  assert.equal(scanShop([o(0, 'A'), o(1, 'B'), o(2, 'A'), o(3, 'B'), o(4, 'A'), o(5, 'B')]).brushing, true);
  assert.equal(scanShop([o(0, 'A'), o(1, 'B'), o(2, 'A'), o(3, 'B'), o(4, 'A')]).brushing, false);
});

test('input order does not matter', () => {
  const a = [o(0, 'C'), o(100, 'A'), o(2000, 'A'), o(3600, 'A'), o(3700, 'C')];
  assert.deepEqual(scanShop(a.slice().reverse()), scanShop(a));
});

test('other window lengths and rates, e.g. milliseconds for the engine', () => {
  const ms = [o(0, 'x'), o(1_800_000, 'x'), o(3_600_000, 'x')];
  assert.equal(scanShop(ms, { windowLength: 3_600_000, minRate: 3 }).brushing, true);
  assert.equal(scanShop(ms, { windowLength: 3_599_999, minRate: 3 }).brushing, false);
  assert.equal(SHOPEE_RULE.windowLength, 3600);
});

test('compareBuyerIds orders numeric ids by value, not text', () => {
  assert.deepEqual(['23421231', '9', '19233237', '100'].sort(compareBuyerIds), ['9', '100', '19233237', '23421231']);
  assert.ok(compareBuyerIds('b-2', 'b-10') > 0);
});

/** The contest's rule taken literally: every start second t, window [t, t + 1 h], both ends in. */
function bruteForce(orders: readonly TimedOrder[]): { brushing: boolean; suspicious: string[] } {
  const times = orders.map((x) => x.time);
  const inPeriod = new Set<number>();
  for (let t = Math.min(...times) - H; t <= Math.max(...times); t++) {
    const inside = orders.map((x, i) => [x, i] as const).filter(([x]) => x.time >= t && x.time <= t + H);
    if (inside.length === 0) continue;
    if (inside.length / new Set(inside.map(([x]) => x.buyer)).size >= 3) for (const [, i] of inside) inPeriod.add(i);
  }
  if (inPeriod.size === 0) return { brushing: false, suspicious: [] };
  const counts = new Map<string, number>();
  for (const i of inPeriod) counts.set(orders[i]!.buyer, (counts.get(orders[i]!.buyer) ?? 0) + 1);
  const top = Math.max(...counts.values());
  return { brushing: true, suspicious: [...counts].filter(([, n]) => n === top).map(([b]) => b).sort(compareBuyerIds) };
}

test('agrees with the literal every-second rule on 300 random shops', () => {
  let seed = 12345;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let brushing = 0;
  for (let shop = 0; shop < 300; shop++) {
    const orders = Array.from({ length: 3 + next(10) }, () => o(next(3 * H), String(1 + next(3))));
    const expected = bruteForce(orders);
    const got = scanShop(orders, SHOPEE_RULE);
    if (expected.brushing) brushing++;
    assert.equal(got.brushing, expected.brushing, `shop ${shop}: ${JSON.stringify(orders)}`);
    assert.deepEqual(got.brushing ? [...got.suspiciousBuyers] : [], expected.suspicious, `shop ${shop}: ${JSON.stringify(orders)}`);
  }
  assert.ok(brushing > 30 && brushing < 270, `both outcomes are exercised (${brushing} brushing)`);
});
