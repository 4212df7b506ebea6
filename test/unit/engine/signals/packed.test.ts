import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowOf } from '../../../../src/engine/signals/packed.js';
import { rng } from '../../../helpers/fixtures.js';

test('lowOf is x % scale for packed numbers: non-negative integers below 2^53, power-of-two scales', () => {
  const r = rng(3);
  for (const bits of [1, 8, 16, 21, 28, 32, 36, 38, 52]) {
    const scale = 2 ** bits;
    for (const x of [0, 1, scale - 1, scale, scale + 1, 2 ** 53 - 1, 2 ** 53 - scale]) assert.equal(lowOf(x, scale), x % scale, `${x} mod 2^${bits}`);
    for (let i = 0; i < 2000; i++) {
      const x = Math.floor(r() * 2 ** 21) * 2 ** 32 + Math.floor(r() * 2 ** 32);
      assert.equal(lowOf(x, scale), x % scale, `${x} mod 2^${bits}`);
    }
  }
});
