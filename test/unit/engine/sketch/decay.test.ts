import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addRecent,
  base,
  block,
  blockEnd,
  decayedAdvance,
  decayedCreate,
  decayedGrow,
  decayedHour,
  decayFactors,
  HOUR_MS,
  recent,
  type DecayedCounts,
} from '../../../../src/engine/sketch/decay.js';

const ONE = block(1);
const TWO = block(2);

test('recent counts halve every half-life and what leaves them feeds the baseline', () => {
  const f = decayFactors(12, 336);
  const d = decayedCreate(blockEnd(ONE), ONE);
  decayedAdvance(d, ONE, 0, f);
  addRecent(d, ONE, 0, 100);
  decayedAdvance(d, ONE, 12 * HOUR_MS, f);
  assert.equal(decayedHour(d, ONE), 12);
  assert.ok(Math.abs(recent(d, ONE, 0) - 50) < 1e-9, `${recent(d, ONE, 0)}`);
  assert.ok(base(d, ONE, 0) > 49 && base(d, ONE, 0) < 50, `${base(d, ONE, 0)}`);
});

test('advancing in steps equals advancing at once; JSON round-trip continues identically', () => {
  const f = decayFactors(6, 100);
  const a = decayedCreate(blockEnd(TWO), TWO);
  const b = decayedCreate(blockEnd(TWO), TWO);
  for (const d of [a, b]) {
    decayedAdvance(d, TWO, 0, f);
    addRecent(d, TWO, 0, 7);
    addRecent(d, TWO, 1, 3);
  }
  decayedAdvance(a, TWO, 5 * HOUR_MS, f);
  decayedAdvance(a, TWO, 9 * HOUR_MS, f);
  const r = JSON.parse(JSON.stringify(b)) as DecayedCounts;
  decayedAdvance(b, TWO, 9 * HOUR_MS, f);
  decayedAdvance(r, TWO, 9 * HOUR_MS, f);
  assert.deepEqual(a, b);
  assert.deepEqual(r, b);
  assert.ok(recent(b, TWO, 1) < 3 && base(b, TWO, 1) > 0);
});

test('a very long idle period clears everything', () => {
  const f = decayFactors(6, 100);
  const d = decayedCreate(blockEnd(ONE), ONE);
  decayedAdvance(d, ONE, 0, f);
  addRecent(d, ONE, 0, 5);
  decayedAdvance(d, ONE, 400 * 24 * HOUR_MS, f);
  assert.equal(recent(d, ONE, 0), 0);
  assert.equal(base(d, ONE, 0), 0);
});

test('blocks sharing one array decay as arrays of their own would, and leave the numbers around them alone', () => {
  const fast = decayFactors(6, 100);
  const slow = decayFactors(48, 100);
  // [a number of the caller's, block of two lanes, block of one lane]
  const A = block(2, 1);
  const B = block(1, blockEnd(A));
  let d = decayedCreate(blockEnd(A), A);
  d[0] = 0.25;
  const alone = [decayedCreate(blockEnd(TWO), TWO), decayedCreate(blockEnd(ONE), ONE)] as const;
  assert.deepEqual(d, [0.25, -1, 0, 0, 0, 0]);
  assert.deepEqual(decayedGrow([...d, 7, 8], B), [0.25, -1, 0, 0, 0, 0, -1, 0, 0, 7, 8], 'numbers after the blocks move up behind the new one');
  d = decayedGrow(d, B);
  assert.deepEqual(d, [0.25, -1, 0, 0, 0, 0, -1, 0, 0]);
  for (let h = 0; h < 30; h += 7) {
    decayedAdvance(d, A, h * HOUR_MS, fast, h !== 14);
    decayedAdvance(alone[0], TWO, h * HOUR_MS, fast, h !== 14);
    decayedAdvance(d, B, h * HOUR_MS, slow);
    decayedAdvance(alone[1], ONE, h * HOUR_MS, slow);
    addRecent(d, A, 1, h + 1);
    addRecent(alone[0], TWO, 1, h + 1);
    addRecent(d, B, 0, 2);
    addRecent(alone[1], ONE, 0, 2);
  }
  assert.deepEqual(d, [0.25, ...alone[0], ...alone[1]]);
  assert.equal(decayedHour(d, B), 28);
  assert.equal(recent(d, B, 0), recent(alone[1], ONE, 0));
  assert.equal(base(d, A, 1), base(alone[0], TWO, 1));
  decayedAdvance(d, A, 400 * 24 * HOUR_MS, fast);
  assert.deepEqual(d.slice(0, blockEnd(A)), [0.25, 400 * 24, 0, 0, 0, 0], 'a long idle period clears its own block only');
  assert.deepEqual(d.slice(blockEnd(A)), alone[1]);
});
