import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendCapped, dropFirst } from '../../../../src/engine/sketch/lists.js';

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
