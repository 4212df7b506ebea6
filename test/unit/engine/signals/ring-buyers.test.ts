import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuyerTable } from '../../../../src/engine/signals/ring-buyers.js';
import type { BuyerRow } from '../../../../src/engine/signals/ring-buyers.js';
import { MAX_TIME_MS, MIN_TIME_MS } from '../../../../src/engine/validate.js';

test('two generations: a touched buyer survives the next turnover, an untouched one goes', () => {
  const b = new BuyerTable(2);
  b.add('a', 1);
  b.add('b', 2); // the current generation is full: {a, b} becomes the previous one
  b.add('c', 3);
  // a moves into the current generation {c, a}, which is full and turns over: {a, b} is dropped.
  assert.ok(b.get('a') >= 0);
  assert.equal(b.size, 2);
  assert.equal(b.get('b'), -1, 'b was in the generation that was dropped');
  assert.ok(b.get('c') >= 0);
  assert.equal(b.get('zz'), -1);
});

test('sellers of a buyer: inline first, a list from the second, oldest dropped, reset', () => {
  const b = new BuyerTable(1000);
  const j = b.add('x', 10);
  assert.equal(b.find(j, 's1'), -1);
  assert.equal(b.append(j, 's1', 10), 0);
  assert.equal(b.append(j, 's2', 5), 1);
  assert.equal(b.append(j, 's3', 20), 2);
  assert.deepEqual([b.find(j, 's1'), b.find(j, 's2'), b.find(j, 's3')], [0, 1, 2]);
  b.setEpisode(j, 0, 7);
  b.removeOldest(j); // s2 (time 5)
  assert.equal(b.count(j), 2);
  assert.deepEqual([b.seller(j, 0), b.seller(j, 1), b.episode(j, 0), b.time(j, 1)], ['s1', 's3', 7, 20]);
  b.reset(j);
  assert.equal(b.find(j, 's1'), -1);
  assert.equal(b.count(j), 0);
});

test('thousands of buyers through rebuilds, sweeps and a snapshot round trip keep their data', () => {
  const b = new BuyerTable(50_000);
  for (let i = 0; i < 20_000; i++) {
    const j = b.add(`b-${i}`, i);
    b.append(j, `s-${i % 7}`, i);
    if (i % 3 === 0) b.append(b.get(`b-${i}`), `s-${(i + 1) % 7}`, i + 1);
  }
  b.sweep(10_000); // buyers 0..9999 go
  assert.equal(b.size, 10_000);
  assert.equal(b.get('b-9999'), -1);
  const r = new BuyerTable(50_000);
  const [prev, cur] = JSON.parse(JSON.stringify(b.dump()));
  r.load(prev, cur);
  assert.deepEqual(r.dump(), b.dump());
  for (const i of [10_000, 12_345, 19_998, 19_999]) {
    const j = r.get(`b-${i}`);
    assert.ok(j >= 0, `b-${i}`);
    assert.equal(r.seller(j, 0), `s-${i % 7}`);
    assert.equal(r.count(j), i % 3 === 0 ? 2 : 1);
    assert.equal(r.lastOf(j), i);
  }
});

test("the only seller's time is the buyer's latest purchase; each seller of a list keeps its own, through rebuilds and a snapshot", () => {
  const b = new BuyerTable(50_000);
  const j = b.add('x', 10);
  b.append(j, 's1', 10);
  b.setTime(j, 0, 15);
  assert.deepEqual([b.time(j, 0), b.lastOf(j)], [15, 15]);
  b.append(j, 's2', 12); // the first seller's time goes into the list as it was
  b.setLast(j, 12);
  assert.deepEqual([b.time(j, 0), b.time(j, 1)], [15, 12]);
  for (let i = 0; i < 5000; i++) b.add(`filler-${i}`, i);
  const r = new BuyerTable(50_000);
  const [prev, cur] = JSON.parse(JSON.stringify(b.dump()));
  r.load(prev, cur);
  const k = r.get('x');
  assert.deepEqual([r.seller(k, 0), r.time(k, 0), r.seller(k, 1), r.time(k, 1), r.lastOf(k)], ['s1', 15, 's2', 12, 12]);
});

test('generations keep turning over: a buyer of a dropped generation never comes back, whatever the turnover count', () => {
  const b = new BuyerTable(2);
  for (let i = 0; i < 1000; i++) {
    b.add(`b-${i}`, i);
    // Two turnovers after a buyer's generation was current it is gone (generation labels are reused).
    if (i >= 4) assert.equal(b.get(`b-${i - 4}`), -1, `b-${i - 4} after b-${i}`);
    assert.ok(b.size <= 4);
  }
  assert.ok(b.get('b-999') >= 0);
});

test('the table stays within what 2 × half buyers need at three quarters full, near the cap and through turnovers', () => {
  const b = new BuyerTable(1000);
  for (let i = 0; i < 100_000; i++) {
    b.add(`b-${i}`, i);
    assert.ok(b.size <= 2000 && b.slots <= Math.ceil(8000 / 3), `${b.size} in ${b.slots} slots`);
  }
  assert.equal(b.get('b-98999'), -1);
  for (let i = 99_000; i < 100_000; i++) assert.ok(b.get(`b-${i}`) >= 0, `b-${i}`);
  // A snapshot taken under a bigger cap loads whole into a smaller table.
  const big = new BuyerTable(10_000);
  for (let i = 0; i < 15_000; i++) big.append(big.add(`c-${i}`, i), 's', i);
  const small = new BuyerTable(1000);
  small.load(...big.dump());
  assert.equal(small.size, 15_000);
  assert.deepEqual(small.dump(), big.dump());
});

test('a buyer keeps more than 255 sellers when the config allows it', () => {
  const b = new BuyerTable(10);
  const j = b.add('x', 0);
  for (let i = 0; i < 300; i++) b.append(j, `s-${i}`, i);
  assert.equal(b.count(j), 300);
  assert.deepEqual([b.seller(j, 299), b.time(j, 299), b.episode(j, 256)], ['s-299', 299, 256]);
});

test('rows as the version 3 snapshots of the previous layout wrote them load and dump back unchanged', () => {
  // From the detector at 0504004: a buyer whose list lost its oldest seller, a one-seller buyer whose
  // episode is older than its latest purchase, one in the older generation.
  const prev: BuyerRow[] = [
    [932837456, 16385229, ['s1'], [1767240000000], [1767240000000], 1, 1767240000000],
    [1096793167, 1352767301, ['s3', 's4', 's1'], [1767232800000, 1767236400000, 1767441600000], [1767232800000, 1767236400000, 1767441600000], 5, 1767441600000],
  ];
  const cur: BuyerRow[] = [[-1305598560, -488029632, ['s2'], [1767247200000], [1767243600000], 1, 1767247200000]];
  const b = new BuyerTable(2);
  b.load(prev, cur);
  assert.deepEqual(b.dump(), [prev, cur]);
  const j = b.get('b1');
  assert.ok(j >= 0);
  assert.deepEqual([b.count(j), b.find(j, 's4'), b.time(j, 1), b.episode(j, 2), b.deg[j]], [3, 1, 1767236400000, 1767441600000, 5]);
});

test('times are kept exactly in 6 bytes for every whole ms below 2^48, which covers every valid event time', () => {
  const b = new BuyerTable(100);
  for (const t of [0, 1, 2 ** 32 - 1, 2 ** 32, MIN_TIME_MS, MAX_TIME_MS, MAX_TIME_MS - 1, 2 ** 48 - 1]) {
    assert.ok(BuyerTable.keeps(t));
    const j = b.add(`b-${t}`, t);
    b.append(j, 's1', t);
    assert.deepEqual([b.lastOf(j), b.time(j, 0), b.episode(j, 0)], [t, t, t]);
    b.append(j, 's2', t - 1);
    assert.deepEqual([b.time(j, 0), b.episode(j, 0), b.time(j, 1)], [t, t, t - 1]);
  }
  for (const t of [-1, 0.5, 2 ** 48, NaN]) assert.equal(BuyerTable.keeps(t), false, String(t));
});
