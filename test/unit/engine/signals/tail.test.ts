import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialTail } from '../../../../src/engine/signals/tail.js';

function exact(k: number, n: number, p: number): number {
  let sum = 0;
  let choose = 1;
  for (let i = 0; i <= n; i++) {
    if (i >= k) sum += choose * p ** i * (1 - p) ** (n - i);
    choose = (choose * (n - i)) / (i + 1);
  }
  return sum;
}

test('binomialTail matches the exact binomial upper tail at integer counts', () => {
  for (const [k, n, p] of [[2, 4, 0.05], [3, 4, 0.05], [1, 1, 0.3], [5, 5, 0.5], [20, 100, 0.05], [7, 30, 0.2]] as const) {
    const got = binomialTail(k, n, p);
    const want = exact(k, n, p);
    assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, want) + 1e-15, `P(X ≥ ${k} | ${n}, ${p}) = ${got}, want ${want}`);
  }
});

test('binomialTail is 1 at no hits, and between the neighbouring integer tails at decayed counts', () => {
  assert.equal(binomialTail(0, 4, 0.05), 1);
  assert.equal(binomialTail(-0.1, 4, 0.05), 1);
  const t = binomialTail(2.5, 4, 0.05);
  assert.ok(t < exact(2, 4, 0.05) && t > exact(3, 4, 0.05), `${t}`);
  // More trials with the same hits are less surprising.
  assert.ok(binomialTail(2, 8, 0.05) > binomialTail(2, 4, 0.05));
});
