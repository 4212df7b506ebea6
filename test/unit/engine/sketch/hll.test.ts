import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash32 } from '../../../../src/engine/sketch/hash.js';
import { hllAdd, hllCount, type HllState } from '../../../../src/engine/sketch/hll.js';

function fill(from: number, to: number, p: number, cap: number): HllState {
  let s: HllState = [];
  for (let i = from; i < to; i++) s = hllAdd(s, hash32(`buyer-${i}`), p, cap);
  return s;
}

test('small sets are counted exactly and stay an array of hashes', () => {
  let s: HllState = [];
  for (let round = 0; round < 3; round++) for (let i = 0; i < 10; i++) s = hllAdd(s, hash32(`b${i}`), 6, 16);
  assert.equal(hllCount(s, 6), 10);
  assert.ok(Array.isArray(s));
});

test('past the exact cap it switches to 2^p registers and stays within 3 standard errors', () => {
  for (const p of [6, 7, 8]) {
    const m = 1 << p;
    const se = 1.04 / Math.sqrt(m);
    for (const n of [100, 1000, 20_000]) {
      const s = fill(0, n, p, 16);
      assert.equal(typeof s, 'string');
      assert.equal((s as string).length, m);
      const est = hllCount(s, p);
      assert.ok(Math.abs(est - n) / n < 3 * se, `p=${p} n=${n} est=${est}`);
    }
  }
});

test('mean relative error over many sets matches the theory for p=6', () => {
  let sumSq = 0;
  const trials = 40;
  for (let t = 0; t < trials; t++) {
    const s = fill(t * 10_000, t * 10_000 + 2000, 6, 16);
    const rel = (hllCount(s, 6) - 2000) / 2000;
    sumSq += rel * rel;
  }
  const rmse = Math.sqrt(sumSq / trials);
  assert.ok(rmse < 1.5 * (1.04 / 8), `rmse ${rmse}`);
  assert.ok(rmse > 0.01, 'a sketch this small cannot be exact: the estimator is not being used');
});

test('state survives JSON and keeps counting identically', () => {
  let s = fill(0, 500, 6, 16);
  let r = JSON.parse(JSON.stringify(s)) as HllState;
  for (let i = 500; i < 900; i++) {
    s = hllAdd(s, hash32(`buyer-${i}`), 6, 16);
    r = hllAdd(r, hash32(`buyer-${i}`), 6, 16);
  }
  assert.equal(JSON.stringify(r), JSON.stringify(s));
  assert.ok(Buffer.byteLength(JSON.stringify(s)) < 80, 'registers serialise as one short string');
});
