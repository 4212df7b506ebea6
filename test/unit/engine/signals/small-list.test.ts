import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY } from '../../../../src/engine/sketch/lists.js';
import { pushCapped } from '../../../../src/engine/signals/small-list.js';

test('pushCapped keeps the last cap items in order, copying while short and appending in place once long', () => {
  let list: readonly number[] = EMPTY;
  const copies: boolean[] = [];
  for (let i = 0; i < 100; i++) {
    const next = pushCapped(list, i, 40);
    copies.push(next !== list);
    list = next;
    const n = Math.min(i + 1, 40);
    assert.deepEqual(list, Array.from({ length: n }, (_, k) => i - n + 1 + k));
  }
  assert.deepEqual(EMPTY, []);
  // New exact-size arrays for the first 16 appends, the same array after that.
  assert.deepEqual(copies.slice(0, 16), new Array(16).fill(true));
  assert.ok(copies.slice(17).every((c) => !c));
});

test('a cap below the short length still holds', () => {
  let list: readonly number[] = EMPTY;
  for (const v of [1, 2, 3, 4]) list = pushCapped(list, v, 2);
  assert.deepEqual(list, [3, 4]);
});
