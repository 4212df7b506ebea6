import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binomialTail, poissonTail } from '../../../../src/engine/signals/tail.js';

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

test('poissonTail matches the closed form and stays exact for tiny tails', () => {
  const lambda = 0.7;
  const closed = 1 - Math.exp(-lambda) * (1 + lambda + (lambda * lambda) / 2);
  assert.ok(Math.abs(poissonTail(3, lambda) - closed) < 1e-12);
  assert.equal(poissonTail(0, 5), 1);
  const tiny = poissonTail(6, 0.01);
  assert.ok(tiny > 0 && Math.abs(tiny / ((Math.exp(-0.01) * 0.01 ** 6) / 720) - 1) < 1e-2);
});
