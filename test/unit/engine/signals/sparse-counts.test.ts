import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmsAdd, cmsCreate, cmsEstimate } from '../../../../src/engine/sketch/cms.js';
import { hash32, hash32b } from '../../../../src/engine/sketch/hash.js';
import { countsAdd, countsEstimate, countsFromPairs, NO_COUNTS, type Counts } from '../../../../src/engine/signals/sparse-counts.js';
import { rng } from '../../../helpers/fixtures.js';

function dense(t: Counts, n: number): number[] {
  if (t.length === n) return [...t];
  assert.ok(2 * t.length < n, 'sparse: fewer than half the counters');
  const d = new Array<number>(n).fill(0);
  for (const x of t) d[x % n] = (x - (x % n)) / n;
  return d;
}

for (const [width, depth] of [[16, 2], [4, 1], [32, 3]] as const) {
  test(`${width}×${depth}: the same counters and estimates as sketch/cms.ts, sparse first and dense later`, () => {
    const r = rng(width * depth);
    const ref = cmsCreate(width, depth);
    let t: Counts = NO_COUNTS;
    const sizes = new Set<boolean>();
    for (let k = 0; k < 3000; k++) {
      const key = `b-${Math.floor(r() ** 2 * 300)}`;
      const h1 = hash32(key);
      const h2 = hash32b(key) | 1;
      assert.equal(countsEstimate(t, width, depth, h1, h2), cmsEstimate(ref, h1, h2));
      cmsAdd(ref, h1, h2);
      t = countsAdd(t, width, depth, h1, h2);
      sizes.add(t.length === width * depth);
      if (k % 17 === 0) assert.deepEqual(dense(t, width * depth), ref.counts);
    }
    assert.deepEqual([...sizes].sort(), [false, true], 'both layouts were used');
  });
}

test('counters after numbers of the caller\'s own: the same counters, and the numbers kept through every add', () => {
  const r = rng(7);
  const head = [0.5, -1, 1e12];
  let plain: Counts = NO_COUNTS;
  let t: Counts = [...head];
  for (let k = 0; k < 2000; k++) {
    const key = `b-${Math.floor(r() ** 2 * 200)}`;
    const h1 = hash32(key);
    const h2 = hash32b(key) | 1;
    assert.equal(countsEstimate(t, 16, 2, h1, h2, head.length), countsEstimate(plain, 16, 2, h1, h2));
    plain = countsAdd(plain, 16, 2, h1, h2);
    t = countsAdd(t, 16, 2, h1, h2, 1, head.length);
    assert.deepEqual(t.slice(0, head.length), head);
    assert.deepEqual(t.slice(head.length), [...plain]);
  }
  assert.equal(plain.length, 32, 'dense at the end');
});

test('an add never mutates the shared zero counters', () => {
  const t = countsAdd(NO_COUNTS, 16, 2, 1, 3);
  assert.deepEqual(NO_COUNTS, []);
  assert.equal(t.length, 2, 'one number per non-zero counter');
  assert.equal(countsEstimate(t, 16, 2, 1, 3), 1);
});

test('counters of the earlier layout ([counter, value] pairs, or dense) read the same after conversion', () => {
  const r = rng(7);
  const ref = cmsCreate(16, 2);
  const keys: [number, number][] = [];
  for (let k = 0; k < 40; k++) {
    const key = `b-${Math.floor(r() * 30)}`;
    keys.push([hash32(key), hash32b(key) | 1]);
    cmsAdd(ref, keys[k]![0], keys[k]![1]);
    const pairs: number[] = [];
    ref.counts.forEach((v, c) => v > 0 && pairs.push(c, v));
    const old = pairs.length < 32 ? pairs : [...ref.counts];
    const t = countsFromPairs(old, 16, 2);
    assert.deepEqual(dense(t, 32), ref.counts);
    for (const [h1, h2] of keys) assert.equal(countsEstimate(t, 16, 2, h1, h2), cmsEstimate(ref, h1, h2));
  }
  assert.equal(countsFromPairs([], 16, 2), NO_COUNTS);
  assert.deepEqual(countsFromPairs([3, 2, 40, 9], 16, 2), [2 * 32 + 3], 'a pair outside the counters is dropped');
});
