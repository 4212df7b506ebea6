import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmsAdd, cmsCreate, cmsEstimate } from '../../../../src/engine/sketch/cms.js';
import { hash32, hash32b } from '../../../../src/engine/sketch/hash.js';
import { countsAdd, countsEstimate, NO_COUNTS, type Counts } from '../../../../src/engine/signals/sparse-counts.js';
import { rng } from '../../../helpers/fixtures.js';

function dense(t: Counts, n: number): number[] {
  if (t.length === n) return [...t];
  const d = new Array<number>(n).fill(0);
  for (let i = 0; i < t.length; i += 2) d[t[i]!] = t[i + 1]!;
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

test('an add never mutates the shared zero counters', () => {
  const t = countsAdd(NO_COUNTS, 16, 2, 1, 3);
  assert.deepEqual(NO_COUNTS, []);
  assert.equal(t.length, 4);
  assert.equal(countsEstimate(t, 16, 2, 1, 3), 1);
});
