import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assocCreate, assocExpire, assocFind, assocPayload, assocPut } from '../../../../src/engine/sketch/assoc.js';
import { isDue, lowered, lowest, NO_KEYS, NOTHING_DUE, tableAdd, tableExpire, tableGet, tablePut, type Table } from '../../../../src/engine/signals/fingerprint-table.js';
import { rng } from '../../../helpers/fixtures.js';

const BITS = 28;

/** The dense view of a table, for comparison with assoc.ts. */
function dense(t: Table, slots: number): number[] {
  if (t.length === slots) return [...t];
  const d = new Array<number>(slots).fill(-1);
  for (let i = 0; i < t.length; i += 2) d[t[i]!] = t[i + 1]!;
  return d;
}

for (const slots of [2, 4, 32, 64]) {
  test(`${slots} slots: the same keys, payloads and evictions as sketch/assoc.ts, through both layouts`, () => {
    const r = rng(slots);
    const ref = assocCreate(slots);
    let t: Table = NO_KEYS;
    let low: number | undefined = NOTHING_DUE;
    const keys: number[] = [];
    let sparse = 0;
    let scans = 0;
    for (let minute = 0; minute < 20_000; minute++) {
      // Bursty traffic: quiet stretches let expiry shrink the table back to sparse.
      const busy = Math.floor(minute / 2000) % 2 === 0;
      if (r() < (busy ? 0.6 : 0.02)) {
        const h = keys.length > 0 && r() < 0.3 ? keys[Math.floor(r() * keys.length)]! : Math.floor(r() * 2 ** 32);
        keys.push(h);
        if (keys.length > 200) keys.shift();
        assocPut(ref, h, minute * 2, BITS);
        t = tablePut(t, slots, h, minute * 2, BITS);
        low = lowered(low, minute * 2, 1);
      }
      if (minute % 60 === 0) {
        const min = (minute - 300) * 2;
        assocExpire(ref, min, BITS);
        if (isDue(low, min, 1)) {
          scans++;
          t = tableExpire(t, slots, min, BITS);
          low = lowest(t, slots, BITS, 1);
        }
      }
      assert.ok(t.length <= slots);
      if (t.length < slots) sparse++;
      if (minute % 13 === 0) {
        assert.deepEqual(dense(t, slots), ref);
        for (let k = 0; k < 5 && keys.length > 0; k++) {
          const h = keys[Math.floor(r() * keys.length)]!;
          const at = assocFind(ref, h, BITS);
          assert.equal(tableGet(t, slots, h, BITS), at < 0 ? -1 : assocPayload(ref, at, BITS));
        }
      }
    }
    assert.ok(sparse > 0, 'the sparse layout was used');
    assert.ok(scans < 20_000 / 60, 'some expiry scans were skipped');
  });
}

for (const slots of [4, 64]) {
  test(`${slots} slots: tableAdd puts only keys not held (as assocFind, then assocPut), in both layouts`, () => {
    const r = rng(100 + slots);
    const ref = assocCreate(slots);
    let t: Table = NO_KEYS;
    const keys: number[] = [];
    let held = 0;
    for (let i = 0; i < 3000; i++) {
      const h = keys.length > 0 && r() < 0.5 ? keys[Math.floor(r() * keys.length)]! : Math.floor(r() * 2 ** 32);
      keys.push(h);
      if (keys.length > 40) keys.shift();
      const out = tableAdd(t, slots, h, i * 2, BITS);
      if (assocFind(ref, h, BITS) >= 0) {
        held++;
        assert.equal(out, null);
      } else {
        assocPut(ref, h, i * 2, BITS);
        assert.notEqual(out, null);
        t = out!;
      }
      assert.deepEqual(dense(t, slots), ref);
    }
    assert.ok(held > 100 && held < 2900, `${held} held`);
  });
}

test('a put never mutates the shared empty table, and expiry of everything returns to it', () => {
  const t = tablePut(NO_KEYS, 64, 12345, 10, BITS);
  assert.deepEqual(NO_KEYS, []);
  assert.equal(t.length, 2);
  assert.equal(tableGet(t, 64, 12345, BITS), 10);
  assert.equal(tableExpire(t, 64, 11, BITS), NO_KEYS);
});

test('expiry bounds: an unknown bound scans, coarser units round down, a bound above the expiry point skips', () => {
  assert.equal(lowered(undefined, 5, 1), undefined);
  assert.equal(isDue(undefined, 0, 1), true);
  assert.equal(lowered(NOTHING_DUE, 5 * 1024 + 700, 1024), 5);
  assert.equal(isDue(5, 5 * 1024, 1024), false);
  assert.equal(isDue(5, 5 * 1024 + 1, 1024), true);
  const t = tablePut(tablePut(NO_KEYS, 8, 1, 300, BITS), 8, 2, 100, BITS);
  assert.equal(lowest(t, 8, BITS, 1), 100);
  assert.equal(lowest(NO_KEYS, 8, BITS, 1), NOTHING_DUE);
});

test('a table restored under another slot count forgets keys but never grows past its slots', () => {
  const r = rng(9);
  for (const [was, now] of [[32, 64], [64, 32]] as const) {
    let t: Table = assocCreate(was);
    for (let k = 0; k < 40; k++) t = tablePut(t, was, Math.floor(r() * 2 ** 32), 1000 + k, BITS);
    for (let k = 0; k < 200; k++) {
      t = tablePut(t, now, Math.floor(r() * 2 ** 32), 2000 + k, BITS);
      assert.ok(t.length <= Math.max(was, now));
      assert.ok(Object.keys(t).every((i) => Number(i) < Math.max(was, now)));
    }
    t = tableExpire(t, now, 2100 * 2, BITS);
    assert.ok(t.length <= Math.max(was, now));
  }
});
