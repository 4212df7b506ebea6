import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decayedAdvance, decayedCreate, decayFactors, HOUR_MS, type DecayedCounts } from '../../../../src/engine/sketch/decay.js';

test('recent counts halve every half-life and what leaves them feeds the baseline', () => {
  const f = decayFactors(12, 336);
  const d = decayedCreate(1);
  decayedAdvance(d, 0, f);
  d.recent[0] = 100;
  decayedAdvance(d, 12 * HOUR_MS, f);
  assert.ok(Math.abs(d.recent[0]! - 50) < 1e-9, `${d.recent[0]}`);
  assert.ok(d.base[0]! > 49 && d.base[0]! < 50, `${d.base[0]}`);
});

test('advancing in steps equals advancing at once; JSON round-trip continues identically', () => {
  const f = decayFactors(6, 100);
  const a = decayedCreate(2);
  const b = decayedCreate(2);
  for (const d of [a, b]) {
    decayedAdvance(d, 0, f);
    d.recent[0] = 7;
    d.recent[1] = 3;
  }
  decayedAdvance(a, 5 * HOUR_MS, f);
  decayedAdvance(a, 9 * HOUR_MS, f);
  const r = JSON.parse(JSON.stringify(b)) as DecayedCounts;
  decayedAdvance(b, 9 * HOUR_MS, f);
  decayedAdvance(r, 9 * HOUR_MS, f);
  assert.deepEqual(a, b);
  assert.deepEqual(r, b);
});

test('a very long idle period clears everything', () => {
  const f = decayFactors(6, 100);
  const d = decayedCreate(1);
  decayedAdvance(d, 0, f);
  d.recent[0] = 5;
  decayedAdvance(d, 400 * 24 * HOUR_MS, f);
  assert.deepEqual(d.recent, [0]);
  assert.deepEqual(d.base, [0]);
});
