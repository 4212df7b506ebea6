import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint64, hash32, hash32b, mix32 } from '../../../../src/engine/sketch/hash.js';

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

test('fingerprint64: two independent halves, stable, spread', () => {
  const fp = new Int32Array(2);
  const seen = new Set<string>();
  const lows = new Array<number>(1024).fill(0);
  for (let i = 0; i < 10_000; i++) {
    fingerprint64(`e-${i}`, fp);
    seen.add(`${fp[0]}:${fp[1]}`);
    lows[fp[1]! & 1023]! += 1;
  }
  assert.equal(seen.size, 10_000);
  assert.ok(Math.max(...lows) < 30, `max bucket ${Math.max(...lows)}`);
  fingerprint64('buyer-1', fp);
  const a = [fp[0], fp[1]];
  fingerprint64('buyer-1', fp);
  assert.deepEqual([fp[0], fp[1]], a);
  assert.notEqual(a[0], a[1]);
});
