import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assocCreate, assocExpire, assocFind, assocPayload, assocPut } from '../../../../src/engine/sketch/assoc.js';
import { isDue, lowered, lowest, NOTHING_DUE, tableAdd, tableExpire, tableGet, tablePut } from '../../../../src/engine/signals/fingerprint-table.js';
import { rng } from '../../../helpers/fixtures.js';

const BITS = 28;

/** The dense view of a table, for comparison with assoc.ts. */
function dense(t: readonly number[], slots: number): number[] {
  if (t.length === slots) return [...t];
  const d = new Array<number>(slots).fill(-1);
  for (let i = 0; i < t.length; i += 2) d[t[i]!] = t[i + 1]!;
  return d;
}

/**
 * Bursty traffic: the key put at `minute`, or null. Quiet stretches let expiry shrink the table
 * back to sparse (or empty it); 30 % of puts repeat one of the last 200 keys.
 */
function burstyKey(r: () => number, keys: number[], minute: number): number | null {
  const busy = Math.floor(minute / 2000) % 2 === 0;
  if (r() >= (busy ? 0.6 : 0.02)) return null;
  const h = keys.length > 0 && r() < 0.3 ? keys[Math.floor(r() * keys.length)]! : Math.floor(r() * 2 ** 32);
  keys.push(h);
  if (keys.length > 200) keys.shift();
  return h;
}

for (const slots of [2, 4, 32, 64]) {
  test(`${slots} slots: the same keys, payloads and evictions as sketch/assoc.ts, through both layouts`, () => {
    const r = rng(slots);
    const ref = assocCreate(slots);
    let t: number[] = [];
    let low: number | undefined = NOTHING_DUE;
    const keys: number[] = [];
    let sparse = 0;
    let scans = 0;
    for (let minute = 0; minute < 20_000; minute++) {
      const h = burstyKey(r, keys, minute);
      if (h !== null) {
        assocPut(ref, h, minute * 2, BITS);
        t = tablePut(t, 0, slots, h, minute * 2, BITS);
        low = lowered(low, minute * 2, 1);
      }
      if (minute % 60 === 0) {
        const min = (minute - 300) * 2;
        assocExpire(ref, min, BITS);
        if (isDue(low, min, 1)) {
          scans++;
          t = tableExpire(t, 0, slots, min, BITS);
          low = lowest(t, 0, slots, BITS, 1);
        }
      }
      assert.ok(t.length <= slots);
      if (t.length < slots) sparse++;
      if (minute % 13 === 0) {
        assert.deepEqual(dense(t, slots), ref);
        for (let k = 0; k < 5 && keys.length > 0; k++) {
          const h = keys[Math.floor(r() * keys.length)]!;
          const at = assocFind(ref, h, BITS);
          assert.equal(tableGet(t, 0, slots, h, BITS), at < 0 ? -1 : assocPayload(ref, at, BITS));
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
    let t: number[] = [];
    const keys: number[] = [];
    let held = 0;
    for (let i = 0; i < 3000; i++) {
      const h = keys.length > 0 && r() < 0.5 ? keys[Math.floor(r() * keys.length)]! : Math.floor(r() * 2 ** 32);
      keys.push(h);
      if (keys.length > 40) keys.shift();
      const out = tableAdd(t, 0, slots, h, i * 2, BITS);
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

test('a put never mutates a frozen empty table, and expiry of everything empties it', () => {
  const empty = Object.freeze([]) as unknown as number[];
  const t = tablePut(empty, 0, 64, 12345, 10, BITS);
  assert.equal(t.length, 2);
  assert.equal(tableGet(t, 0, 64, 12345, BITS), 10);
  assert.deepEqual(tableExpire(t, 0, 64, 11, BITS), []);
});

test('expiry bounds: an unknown bound scans, coarser units round down, a bound above the expiry point skips', () => {
  assert.equal(lowered(undefined, 5, 1), undefined);
  assert.equal(isDue(undefined, 0, 1), true);
  assert.equal(lowered(NOTHING_DUE, 5 * 1024 + 700, 1024), 5);
  assert.equal(isDue(5, 5 * 1024, 1024), false);
  assert.equal(isDue(5, 5 * 1024 + 1, 1024), true);
  const t = tablePut(tablePut([], 0, 8, 1, 300, BITS), 0, 8, 2, 100, BITS);
  assert.equal(lowest(t, 0, 8, BITS, 1), 100);
  assert.equal(lowest([], 0, 8, BITS, 1), NOTHING_DUE);
});

test('a table restored under another slot count forgets keys but never grows past its slots', () => {
  const r = rng(9);
  for (const [was, now] of [[32, 64], [64, 32]] as const) {
    let t: number[] = assocCreate(was);
    for (let k = 0; k < 40; k++) t = tablePut(t, 0, was, Math.floor(r() * 2 ** 32), 1000 + k, BITS);
    for (let k = 0; k < 200; k++) {
      t = tablePut(t, 0, now, Math.floor(r() * 2 ** 32), 2000 + k, BITS);
      assert.ok(t.length <= Math.max(was, now));
      assert.ok(Object.keys(t).every((i) => Number(i) < Math.max(was, now)));
    }
    t = tableExpire(t, 0, now, 2100 * 2, BITS);
    assert.ok(t.length <= Math.max(was, now));
  }
});

const HEAD = [0.5, -1, 7];

for (const slots of [2, 4, 64]) {
  test(`${slots} slots: a table after a caller's numbers is the table on its own, through both layouts, the numbers kept`, () => {
    const r = rng(slots + 1);
    let ref: number[] = [];
    let t = [...HEAD];
    const keys: number[] = [];
    const layouts = new Set<string>();
    for (let minute = 0; minute < 20_000; minute++) {
      const h = burstyKey(r, keys, minute);
      if (h !== null) {
        const payload = minute * 2 + (r() < 0.5 ? 1 : 0);
        if (r() < 0.5) {
          ref = tablePut(ref, 0, slots, h, payload, BITS);
          t = tablePut(t, HEAD.length, slots, h, payload, BITS);
        } else {
          const a = tableAdd(ref, 0, slots, h, payload, BITS);
          const b = tableAdd(t, HEAD.length, slots, h, payload, BITS);
          assert.equal(b === null, a === null);
          if (a !== null) ref = a;
          if (b !== null) t = b;
        }
      }
      if (minute % 60 === 0) {
        const min = (minute - 300) * 2;
        ref = tableExpire(ref, 0, slots, min, BITS);
        t = tableExpire(t, HEAD.length, slots, min, BITS);
      }
      if (minute % 97 === 0) for (const h of keys) assert.equal(tableGet(t, HEAD.length, slots, h, BITS), tableGet(ref, 0, slots, h, BITS));
      assert.deepEqual(t.slice(HEAD.length), ref);
      assert.deepEqual(t.slice(0, HEAD.length), HEAD);
      assert.equal(lowest(t, HEAD.length, slots, BITS, 2), lowest(ref, 0, slots, BITS, 2));
      layouts.add(ref.length === 0 ? 'empty' : ref.length >= slots ? 'dense' : 'sparse');
    }
    assert.ok(layouts.has('dense') && (slots === 2 || layouts.has('sparse')), [...layouts].join());
  });
}
