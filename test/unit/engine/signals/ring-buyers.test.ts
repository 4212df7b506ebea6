import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuyerTable } from '../../../../src/engine/signals/ring-buyers.js';

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
  assert.equal(b.n[j], 2);
  assert.deepEqual([b.seller(j, 0), b.seller(j, 1), b.episode(j, 0), b.time(j, 1)], ['s1', 's3', 7, 20]);
  b.reset(j);
  assert.equal(b.find(j, 's1'), -1);
  assert.equal(b.n[j], 0);
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
    assert.equal(r.n[j], i % 3 === 0 ? 2 : 1);
    assert.equal(r.last[j], i);
  }
});

test("the only seller's time is the buyer's latest purchase; each seller of a list keeps its own, through rebuilds and a snapshot", () => {
  const b = new BuyerTable(50_000);
  const j = b.add('x', 10);
  b.append(j, 's1', 10);
  b.setTime(j, 0, 15);
  assert.deepEqual([b.time(j, 0), b.last[j]], [15, 15]);
  b.append(j, 's2', 12); // the first seller's time goes into the list as it was
  b.last[j] = 12;
  assert.deepEqual([b.time(j, 0), b.time(j, 1)], [15, 12]);
  for (let i = 0; i < 5000; i++) b.add(`filler-${i}`, i);
  const r = new BuyerTable(50_000);
  const [prev, cur] = JSON.parse(JSON.stringify(b.dump()));
  r.load(prev, cur);
  const k = r.get('x');
  assert.deepEqual([r.seller(k, 0), r.time(k, 0), r.seller(k, 1), r.time(k, 1), r.last[k]], ['s1', 15, 's2', 12, 12]);
});
