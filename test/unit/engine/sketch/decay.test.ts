import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addRecent,
  base,
  decayedAdvance,
  decayedCreate,
  decayedHour,
  decayFactors,
  HOUR_MS,
  recent,
  type DecayedCounts,
} from '../../../../src/engine/sketch/decay.js';

test('recent counts halve every half-life and what leaves them feeds the baseline', () => {
  const f = decayFactors(12, 336);
  const d = decayedCreate(1);
  decayedAdvance(d, 0, f);
  addRecent(d, 0, 100);
  decayedAdvance(d, 12 * HOUR_MS, f);
  assert.equal(decayedHour(d), 12);
  assert.ok(Math.abs(recent(d, 0) - 50) < 1e-9, `${recent(d, 0)}`);
  assert.ok(base(d, 0) > 49 && base(d, 0) < 50, `${base(d, 0)}`);
});

test('advancing in steps equals advancing at once; JSON round-trip continues identically', () => {
  const f = decayFactors(6, 100);
  const a = decayedCreate(2);
  const b = decayedCreate(2);
  for (const d of [a, b]) {
    decayedAdvance(d, 0, f);
    addRecent(d, 0, 7);
    addRecent(d, 1, 3);
  }
  decayedAdvance(a, 5 * HOUR_MS, f);
  decayedAdvance(a, 9 * HOUR_MS, f);
  const r = JSON.parse(JSON.stringify(b)) as DecayedCounts;
  decayedAdvance(b, 9 * HOUR_MS, f);
  decayedAdvance(r, 9 * HOUR_MS, f);
  assert.deepEqual(a, b);
  assert.deepEqual(r, b);
  assert.ok(recent(b, 1) < 3 && base(b, 1) > 0);
});

test('a very long idle period clears everything', () => {
  const f = decayFactors(6, 100);
  const d = decayedCreate(1);
  decayedAdvance(d, 0, f);
  addRecent(d, 0, 5);
  decayedAdvance(d, 400 * 24 * HOUR_MS, f);
  assert.equal(recent(d, 0), 0);
  assert.equal(base(d, 0), 0);
});
