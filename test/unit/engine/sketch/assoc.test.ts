import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assocCreate, assocExpire, assocFind, assocPayload, assocPut } from '../../../../src/engine/sketch/assoc.js';
import { hash32 } from '../../../../src/engine/sketch/hash.js';

test('remembers payloads of recent keys in one number each', () => {
  const t = assocCreate(64);
  for (let i = 0; i < 20; i++) assocPut(t, hash32(`o${i}`), 1000 + i, 28);
  let found = 0;
  for (let i = 0; i < 20; i++) {
    const at = assocFind(t, hash32(`o${i}`), 28);
    if (at >= 0) {
      found++;
      assert.equal(assocPayload(t, at, 28), 1000 + i);
    }
  }
  // 20 keys in 64 two-way slots: collisions of both slots are rare.
  assert.ok(found >= 18, `found ${found}`);
  assert.equal(assocFind(t, hash32('absent'), 28), -1);
  assert.equal(t.length, 64);
});

test('a full pair evicts the smaller payload (the oldest when time is in the high bits)', () => {
  const t = assocCreate(2);
  assocPut(t, hash32('a'), 10, 20);
  assocPut(t, hash32('b'), 20, 20);
  assocPut(t, hash32('c'), 30, 20);
  assert.equal(assocFind(t, hash32('a'), 20), -1);
  assert.ok(assocFind(t, hash32('b'), 20) >= 0);
  assert.ok(assocFind(t, hash32('c'), 20) >= 0);
});

test('stays bounded after 100k keys and expires by payload', () => {
  const t = assocCreate(32);
  for (let i = 0; i < 100_000; i++) assocPut(t, hash32(`k${i}`), i, 38);
  assert.equal(t.length, 32);
  assert.ok(t.every((v) => Number.isSafeInteger(v)));
  assocExpire(t, 99_990, 38);
  const kept = t.filter((v) => v >= 0).length;
  assert.ok(kept > 0 && kept <= 10, `kept ${kept}`);
  const back = JSON.parse(JSON.stringify(t)) as number[];
  assert.deepEqual(back, t);
});
