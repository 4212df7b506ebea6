import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash32, hash32b, mix32 } from '../../../../src/engine/sketch/hash.js';

test('hash32 is stable across runs (pinned values)', () => {
  assert.equal(hash32(''), mix32(0x811c9dc5));
  assert.equal(hash32('buyer-1'), hash32('buyer-1'));
  assert.notEqual(hash32('buyer-1'), hash32('buyer-2'));
});

test('hash32 and hash32b are independent enough to spread 10k keys over 1024 buckets', () => {
  const a = new Array<number>(1024).fill(0);
  const b = new Array<number>(1024).fill(0);
  for (let i = 0; i < 10_000; i++) {
    a[hash32(`k${i}`) & 1023]! += 1;
    b[hash32b(`k${i}`) & 1023]! += 1;
  }
  // Expected ~9.8 per bucket; a broken hash piles keys into few buckets.
  assert.ok(Math.max(...a) < 30, `max bucket ${Math.max(...a)}`);
  assert.ok(Math.max(...b) < 30, `max bucket ${Math.max(...b)}`);
  assert.notEqual(hash32('x'), hash32b('x'));
});
