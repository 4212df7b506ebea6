import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topkDecay, topkList, topkSlot, type TopKState } from '../../../../src/engine/sketch/topk.js';

const topkCreate = (): TopKState => ({ keys: [], counts: [] });

/** Counts `key` once more (or `inc` more); returns its new (over-)estimated count. */
function topkOffer(s: TopKState, key: string, cap: number, inc = 1, stride = 2): number {
  return s.counts[stride * topkSlot(s, key, cap, inc, stride)]!;
}

/** The count `key` certainly has (its count minus the over-count it inherited on replacement), 0 when not held. */
function topkGuaranteed(s: TopKState, key: string, stride = 2): number {
  const i = s.keys.indexOf(key);
  return i < 0 ? 0 : s.counts[stride * i]! - s.counts[stride * i + 1]!;
}

test('keeps every key above N/cap and counts within the error bound', () => {
  const s = topkCreate();
  const cap = 8;
  let n = 0;
  for (let i = 0; i < 10_000; i++) {
    topkOffer(s, `noise-${i}`, cap);
    n++;
    if (i % 5 === 0) {
      topkOffer(s, 'brusher-a', cap);
      n++;
    }
    if (i % 9 === 0) {
      topkOffer(s, 'brusher-b', cap);
      n++;
    }
  }
  assert.ok(s.keys.length <= cap);
  const top = topkList(s, 2);
  assert.deepEqual(top.map((t) => t.key), ['brusher-a', 'brusher-b']);
  for (const t of top) {
    const truth = t.key === 'brusher-a' ? 2000 : 1112;
    assert.ok(t.count >= truth && t.count - t.error <= truth, `${t.key} ${t.count}±${t.error}`);
    assert.ok(t.error <= n / cap);
  }
});

test('ties are listed by key and eviction does not depend on slot order', () => {
  const a = topkCreate();
  const b = topkCreate();
  for (const k of ['x', 'y', 'z']) topkOffer(a, k, 3);
  for (const k of ['z', 'x', 'y']) topkOffer(b, k, 3);
  assert.deepEqual(topkList(a, 3).map((t) => t.key), ['x', 'y', 'z']);
  topkOffer(a, 'w', 3);
  topkOffer(b, 'w', 3);
  // Both evict the greatest key among the minimum counts ('z').
  assert.deepEqual(topkList(a, 3), topkList(b, 3));
  assert.ok(!a.keys.includes('z'));
});

test('decay halves counts and drops the faint; JSON round-trip continues identically', () => {
  const s = topkCreate();
  for (let i = 0; i < 4; i++) topkOffer(s, 'a', 4);
  topkOffer(s, 'b', 4);
  topkDecay(s, 0.5, 0.75);
  assert.deepEqual(topkList(s, 4).map((t) => [t.key, t.count]), [['a', 2]]);
  const r = JSON.parse(JSON.stringify(s)) as TopKState;
  topkOffer(s, 'c', 4);
  topkOffer(r, 'c', 4);
  assert.deepEqual(r, s);
});

test('decay works in place: the same arrays, the kept keys in their order, the dropped ones gone', () => {
  const s = topkCreate();
  for (const [k, n] of [['a', 4], ['b', 1], ['c', 3], ['d', 1]] as const) for (let i = 0; i < n; i++) topkOffer(s, k, 8);
  const { keys, counts } = s;
  topkDecay(s, 0.5, 1);
  assert.equal(s.keys, keys);
  assert.equal(s.counts, counts);
  assert.deepEqual(s.keys, ['a', 'c']);
  assert.deepEqual(s.counts, [2, 0, 1.5, 0]);
  topkDecay(s, 0.25, 1);
  assert.deepEqual([s.keys, s.counts], [[], []]);
  // Nothing kept: the shared empty list, which the next offer replaces rather than writes into.
  assert.ok(Object.isFrozen(s.keys) && Object.isFrozen(s.counts));
  topkOffer(s, 'e', 8);
  assert.deepEqual(topkList(s, 8), [{ key: 'e', count: 1, error: 0 }]);
});

test('guaranteed count: a key that took an evicted slot has only its own orders guaranteed', () => {
  const s = topkCreate();
  for (let i = 0; i < 5; i++) topkOffer(s, 'heavy', 2);
  topkOffer(s, 'once', 2);
  // A third key evicts 'once' (count 1) and inherits it: estimated 2, guaranteed 1.
  assert.equal(topkOffer(s, 'new', 2), 2);
  assert.equal(topkGuaranteed(s, 'new'), 1);
  assert.equal(topkGuaranteed(s, 'heavy'), 5);
  assert.equal(topkGuaranteed(s, 'once'), 0);
  topkOffer(s, 'new', 2);
  assert.equal(topkGuaranteed(s, 'new'), 2);
});

test("a caller's own numbers per key (stride 3) start at 0, move with their key through decay unscaled, and are reset on eviction", () => {
  const s = topkCreate();
  const own = (k: string) => s.counts[3 * s.keys.indexOf(k) + 2];
  for (const [k, n] of [['a', 4], ['b', 1], ['c', 2]] as const)
    for (let i = 0; i < n; i++) {
      const at = topkSlot(s, k, 3, 1, 3);
      assert.equal(s.keys[at], k);
      if (i === 0) assert.equal(s.counts[3 * at + 2], 0);
      s.counts[3 * at + 2] = k.charCodeAt(0);
    }
  assert.deepEqual(s.counts, [4, 0, 97, 1, 0, 98, 2, 0, 99]);
  assert.equal(topkGuaranteed(s, 'c', 3), 2);
  assert.equal(topkOffer(s, 'c', 3, 1, 3), 3);
  topkDecay(s, 0.5, 0.75, 3);
  assert.deepEqual(s.keys, ['a', 'c']);
  assert.deepEqual(s.counts, [2, 0, 97, 1.5, 0, 99]);
  // Full: a new key takes the smallest count's slot (c), inheriting its count as the error bound, its own number reset.
  topkSlot(s, 'x', 2, 1, 3);
  assert.deepEqual([s.keys, s.counts], [['a', 'x'], [2, 0, 97, 2.5, 1.5, 0]]);
  assert.equal(own('a'), 97);
  topkDecay(s, 0.01, 0.75, 3);
  assert.deepEqual([s.keys.length, s.counts.length], [0, 0]);
});

test('an offer after a decay that shortened or emptied the top-k writes into the arrays it had, with the same result as new ones', () => {
  const fill = () => {
    const s = topkCreate();
    for (const [k, n] of [['a', 4], ['b', 1], ['c', 3]] as const) for (let i = 0; i < n; i++) topkOffer(s, k, 8);
    return s;
  };
  // Shortened: b dropped, the new key goes where c's numbers ended, in the same arrays.
  const s = fill();
  const r = fill();
  const before = { keys: s.keys, counts: s.counts, n: s.keys.length };
  topkDecay(s, 0.5, 1);
  topkDecay(r, 0.5, 1);
  assert.equal(topkSlot(s, 'd', 8, 1, 2, before), 2);
  assert.equal(topkSlot(r, 'd', 8), 2);
  assert.equal(s.keys, before.keys);
  assert.equal(s.counts, before.counts);
  assert.notEqual(r.keys, before.keys);
  assert.deepEqual(s, r);
  // Emptied, from one key: its arrays take the next key.
  const one = topkCreate();
  topkOffer(one, 'a', 8);
  const was = { keys: one.keys, counts: one.counts, n: 1 };
  topkDecay(one, 0.1, 1);
  assert.deepEqual([one.keys, was.keys], [[], ['a']], 'decay leaves the emptied arrays untouched');
  assert.equal(topkSlot(one, 'b', 8, 1, 2, was), 0);
  assert.equal(one.keys, was.keys);
  assert.deepEqual([one.keys, one.counts], [['b'], [1, 0]]);
  // Not shortened (no decay since): an offer copies as usual; a key already held is counted in place.
  const same = { keys: one.keys, counts: one.counts, n: 1 };
  topkSlot(one, 'c', 8, 1, 2, same);
  assert.notEqual(one.keys, same.keys);
  assert.deepEqual([one.keys, one.counts], [['b', 'c'], [1, 0, 1, 0]]);
  // A top-k restored with more keys than a lowered cap stays within what it holds: no key is added in place.
  const big = fill();
  const was3 = { keys: big.keys, counts: big.counts, n: 3 };
  topkDecay(big, 0.5, 1);
  topkSlot(big, 'd', 2, 1, 2, was3);
  assert.deepEqual(big.keys, ['a', 'd']);
});

test('with a hash kept per key, keys are found by hash and then key, and every way a key takes a slot sets its hash', () => {
  const s = topkCreate();
  const h = (k: string) => (k === 'x' || k === 'y' ? 7 : k.charCodeAt(0));
  const offer = (k: string, cap = 3) => topkSlot(s, k, cap, 1, 3, undefined, h(k));
  offer('a');
  offer('x');
  // y shares x's hash: a key of its own, not x counted again.
  assert.equal(offer('y'), 2);
  assert.equal(offer('x'), 1);
  assert.deepEqual([s.keys, s.counts], [['a', 'x', 'y'], [1, 0, 97, 2, 0, 7, 1, 0, 7]]);
  // Full: z evicts the smallest count (a and y tie at 1: the greater key, y) and brings its own hash.
  assert.equal(offer('z'), 2);
  assert.deepEqual([s.keys, s.counts], [['a', 'x', 'z'], [1, 0, 97, 2, 0, 7, 2, 1, 122]]);
  // Into arrays a decay shortened.
  const before = { keys: s.keys, counts: s.counts, n: 3 };
  topkDecay(s, 0.5, 0.75, 3);
  assert.deepEqual(s.keys, ['x', 'z']);
  assert.equal(topkSlot(s, 'b', 3, 1, 3, before, 98), 2);
  assert.deepEqual([s.keys, s.counts], [['x', 'z', 'b'], [1, 0, 7, 1, 0.5, 122, 1, 0, 98]]);
  assert.equal(s.keys, before.keys);
});
