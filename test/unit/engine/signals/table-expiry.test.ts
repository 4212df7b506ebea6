import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assocCreate, assocExpire, assocPut } from '../../../../src/engine/sketch/assoc.js';
import { expireDue, lowered, NOTHING_DUE } from '../../../../src/engine/signals/table-expiry.js';
import { rng } from '../../../helpers/fixtures.js';

const BITS = 28;

test('expireDue leaves the table exactly as assocExpire does, at every step of a stream', () => {
  const r = rng(7);
  const a = assocCreate(16);
  const b = assocCreate(16);
  let low: number | undefined = NOTHING_DUE;
  let scans = 0;
  for (let minute = 0; minute < 5000; minute++) {
    if (r() < 0.3) {
      const h = Math.floor(r() * 2 ** 32);
      assocPut(a, h, minute * 2, BITS);
      assocPut(b, h, minute * 2, BITS);
      low = lowered(low, minute * 2, 1);
    }
    if (minute % 60 === 0) {
      const min = (minute - 600) * 2;
      assocExpire(a, min, BITS);
      const before = low;
      low = expireDue(b, min, BITS, 1, low);
      if (before === undefined || min > before) scans++;
      assert.deepEqual(b, a);
    }
  }
  // It skipped most scans: the oldest entry is due only now and then.
  assert.ok(scans > 0 && scans < 5000 / 60);
});

test('an unknown bound (undefined, an old snapshot) scans and becomes exact', () => {
  const t = assocCreate(8);
  assocPut(t, 12345, 100, BITS);
  assocPut(t, 999, 300, BITS);
  assert.equal(lowered(undefined, 5, 1), undefined);
  assert.equal(expireDue(t, 200, BITS, 1, undefined), 300);
  assert.equal(t.filter((e) => e >= 0).length, 1);
  assert.equal(expireDue(t, 400, BITS, 1, 300), NOTHING_DUE);
  assert.ok(t.every((e) => e < 0));
});

test('bounds in coarser units round down and still skip only when nothing is due', () => {
  const t = assocCreate(8);
  assocPut(t, 77, 5 * 1024 + 700, 38);
  assert.equal(lowered(NOTHING_DUE, 5 * 1024 + 700, 1024), 5);
  assert.equal(expireDue(t, 5 * 1024, 38, 1024, 5), 5);
  assert.equal(expireDue(t, 6 * 1024, 38, 1024, 5), NOTHING_DUE);
  assert.ok(t.every((e) => e < 0));
});

test('a bound at or above the expiry point skips the scan', () => {
  const t = assocCreate(8);
  assocPut(t, 1, 100, BITS);
  // A wrong (too high) bound would keep the entry: the skip is taken on the bound alone.
  assert.equal(expireDue(t, 150, BITS, 1, 200), 200);
  assert.equal(t.filter((e) => e >= 0).length, 1);
  assert.equal(expireDue(t, 150, BITS, 1, 100), NOTHING_DUE);
});
