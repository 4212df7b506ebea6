import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cmsAdd, cmsCreate, cmsEstimate } from '../../../../src/engine/sketch/cms.js';
import { hash32, hash32b } from '../../../../src/engine/sketch/hash.js';
import { countsAdd, countsEstimate, countsFromPairs, countsFromSingles, type Counts } from '../../../../src/engine/signals/sparse-counts.js';
import { rng } from '../../../helpers/fixtures.js';

const FIELD = 2 ** 26;

/** The n counter values of a table in any of its forms (sparse, dense two to a number, wide), with the form's name. */
function decode(t: Counts, n: number): { form: 'sparse' | 'dense' | 'wide'; values: number[] } {
  if (t.length >= n) return { form: 'wide', values: [...t] };
  const fields: number[] = [];
  for (const x of t) fields.push(x % FIELD, Math.floor(x / FIELD));
  if (t.length === (n + 1) >> 1) return { form: 'dense', values: fields.slice(0, n) };
  assert.ok(2 * t.length < n + 1, 'sparse: fewer numbers than the dense form');
  const values = new Array<number>(n).fill(0);
  const used = fields.filter((x) => x > 0);
  assert.ok(2 * used.length < n, 'sparse: fewer than half the counters');
  assert.ok(fields.every((x, i) => x > 0 || i === fields.length - 1), 'only the last field may be unused');
  for (const x of used) values[x % n] = (x - (x % n)) / n;
  return { form: 'sparse', values };
}

const dense = (t: Counts, n: number): number[] => decode(t, n).values;

for (const [width, depth] of [[16, 2], [4, 1], [5, 1], [32, 3]] as const) {
  test(`${width}×${depth}: the same counters and estimates as sketch/cms.ts, sparse first and dense later`, () => {
    const r = rng(width * depth);
    const ref = cmsCreate(width, depth);
    let t: Counts = [];
    const forms = new Set<string>();
    for (let k = 0; k < 3000; k++) {
      const key = `b-${Math.floor(r() ** 2 * 300)}`;
      const h1 = hash32(key);
      const h2 = hash32b(key) | 1;
      assert.equal(countsEstimate(t, width, depth, h1, h2), cmsEstimate(ref, h1, h2));
      cmsAdd(ref, h1, h2);
      t = countsAdd(t, width, depth, h1, h2);
      forms.add(decode(t, width * depth).form);
      if (k % 17 === 0) assert.deepEqual(dense(t, width * depth), ref.counts);
    }
    assert.deepEqual([...forms].sort(), ['dense', 'sparse'], 'both forms were used');
  });
}

test('values past a field: sparse and dense tables widen, with the same counters and estimates', () => {
  const r = rng(3);
  for (const big of [2 ** 21, 2 ** 25, FIELD]) {
    const ref = cmsCreate(16, 2);
    let t: Counts = [];
    const forms: string[] = [];
    for (let k = 0; k < 200; k++) {
      const key = `b-${Math.floor(r() * 40)}`;
      const h1 = hash32(key);
      const h2 = hash32b(key) | 1;
      const inc = k % 50 === 3 ? big : 1 + Math.floor(r() * 3);
      cmsAdd(ref, h1, h2, inc);
      t = countsAdd(t, 16, 2, h1, h2, inc);
      assert.equal(countsEstimate(t, 16, 2, h1, h2), cmsEstimate(ref, h1, h2));
      assert.deepEqual(dense(t, 32), ref.counts);
      const form = decode(t, 32).form;
      if (forms[forms.length - 1] !== form) forms.push(form);
    }
    assert.ok(forms.includes('wide') === ref.counts.some((v) => v >= FIELD), `${big}: ${forms.join(' → ')}`);
  }
});

test('counters after numbers of the caller\'s own: the same counters, and the numbers kept through every add', () => {
  const r = rng(7);
  const head = [0.5, -1, 1e12];
  let plain: Counts = [];
  let t: Counts = [...head];
  for (let k = 0; k < 2000; k++) {
    const key = `b-${Math.floor(r() ** 2 * 200)}`;
    const h1 = hash32(key);
    const h2 = hash32b(key) | 1;
    assert.equal(countsEstimate(t, 16, 2, h1, h2, head.length), countsEstimate(plain, 16, 2, h1, h2));
    const inc = k === 1500 ? FIELD : 1;
    plain = countsAdd(plain, 16, 2, h1, h2, inc);
    t = countsAdd(t, 16, 2, h1, h2, inc, head.length);
    assert.deepEqual(t.slice(0, head.length), head);
    assert.deepEqual(t.slice(head.length), [...plain]);
  }
  assert.equal(decode(plain, 32).form, 'wide', 'wide at the end');
});

test('an add never mutates a shared empty table', () => {
  const empty = Object.freeze([]) as Counts;
  const t = countsAdd(empty, 16, 2, 1, 3);
  assert.equal(t.length, 1, 'two non-zero counters, two to a number');
  assert.equal(countsEstimate(t, 16, 2, 1, 3), 1);
});

test('counters of the earlier layouts (one to a number, or [counter, value] pairs, or dense) read the same after conversion', () => {
  const r = rng(7);
  const ref = cmsCreate(16, 2);
  const keys: [number, number][] = [];
  let singles: Counts = [];
  for (let k = 0; k < 60; k++) {
    const key = `b-${Math.floor(r() * 30)}`;
    keys.push([hash32(key), hash32b(key) | 1]);
    cmsAdd(ref, keys[k]![0], keys[k]![1]);
    const pairs: number[] = [];
    ref.counts.forEach((v, c) => v > 0 && pairs.push(c, v));
    // One to a number as before: value × n + counter, in the order they were added, until half are used.
    const used = ref.counts.filter((v) => v > 0).length;
    if (2 * used < 32) {
      const next: number[] = [...singles];
      ref.counts.forEach((v, c) => {
        const at = next.findIndex((x) => x % 32 === c);
        if (v > 0 && at < 0) next.push(v * 32 + c);
        else if (at >= 0) next[at] = v * 32 + c;
      });
      singles = next;
    } else singles = [...ref.counts];
    for (const t of [countsFromPairs(pairs.length < 32 ? pairs : [...ref.counts], 16, 2), countsFromSingles(singles, 16, 2)]) {
      assert.deepEqual(dense(t, 32), ref.counts);
      for (const [h1, h2] of keys) assert.equal(countsEstimate(t, 16, 2, h1, h2), cmsEstimate(ref, h1, h2));
    }
    const head = [2.5, 7];
    assert.deepEqual(countsFromSingles(singles, 16, 2, head), [...head, ...countsFromSingles(singles, 16, 2)]);
  }
  assert.deepEqual(countsFromPairs([], 16, 2), []);
  assert.deepEqual(countsFromPairs([3, 2, 40, 9], 16, 2), [2 * 32 + 3], 'a pair outside the counters is dropped');
  assert.deepEqual(countsFromSingles([5 * 32 + 1, 2 * 32 + 3, 7 * 32 + 4], 16, 2), [5 * 32 + 1 + (2 * 32 + 3) * FIELD, 7 * 32 + 4], 'in their order, two to a number');
  const wide = new Array<number>(32).fill(0);
  wide[5] = FIELD;
  assert.deepEqual(countsFromSingles(wide, 16, 2), wide, 'a value past a field stays one to a number');
});
