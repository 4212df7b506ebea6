import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendCapped, appendCappedNumbers, appendCappedOwned, dropFirst, dropFirstNumbers } from '../../../../src/engine/sketch/lists.js';

test('appendCapped returns a new list with the value, keeping the last cap items', () => {
  const a = ['x', 'y'];
  const b = appendCapped(a, 'z', 3);
  assert.deepEqual(b, ['x', 'y', 'z']);
  assert.deepEqual(a, ['x', 'y']);
  assert.deepEqual(appendCapped(b, 'w', 3), ['y', 'z', 'w']);
  assert.deepEqual(appendCapped([], 1, 1), [1]);
});

test('dropFirst removes a prefix, never more than there is', () => {
  assert.deepEqual(dropFirst([1, 2, 3], 2), [3]);
  assert.deepEqual(dropFirst([1], 5), []);
});

test('the number variants give what appendCapped and dropFirst give', () => {
  const big = 1_767_225_600 * 2 ** 21 + 12_345;
  const a = appendCappedNumbers([1, 2.5], big, 3);
  assert.deepEqual(a, appendCapped([1, 2.5], big, 3));
  assert.deepEqual(appendCappedNumbers(a, 7, 3), [2.5, big, 7]);
  assert.deepEqual(dropFirstNumbers(a, 2), [big]);
  assert.deepEqual(dropFirstNumbers([1], 5), []);
});

test('appendCappedOwned: a new exact-size list while it grows, the same list slid in place once full', () => {
  const empty: readonly number[] = Object.freeze([]);
  const a = appendCappedOwned(empty, 1, 3);
  assert.deepEqual(a, [1]);
  assert.deepEqual(empty, []);
  const b = appendCappedOwned(a, 2, 3);
  assert.notEqual(b, a);
  const c = appendCappedOwned(b, 3, 3);
  assert.deepEqual(c, [1, 2, 3]);
  const d = appendCappedOwned(c, 4, 3);
  assert.equal(d, c);
  assert.deepEqual(d, [2, 3, 4]);
  // A list longer than the cap (restored under a larger one) is cut as appendCapped cuts it.
  assert.deepEqual(appendCappedOwned([1, 2, 3, 4], 5, 2), [4, 5]);
});
