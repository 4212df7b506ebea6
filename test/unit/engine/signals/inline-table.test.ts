import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lowest, NO_KEYS, tableAdd, tableExpire, tableGet, tablePut, type Table } from '../../../../src/engine/signals/fingerprint-table.js';
import { inlineAdd, inlineExpire, inlineGet, inlineLowest, inlinePut } from '../../../../src/engine/signals/inline-table.js';
import { rng } from '../../../helpers/fixtures.js';

const BITS = 28;
const HEAD = [0.5, -1, 7];

for (const slots of [2, 4, 64]) {
  test(`${slots} slots: the same table as fingerprint-table.ts after the caller's numbers, through both layouts, the numbers kept`, () => {
    const r = rng(slots + 1);
    let ref: Table = NO_KEYS;
    let t = [...HEAD];
    const keys: number[] = [];
    const layouts = new Set<string>();
    for (let minute = 0; minute < 20_000; minute++) {
      // Bursty traffic: quiet stretches let expiry shrink the table back to sparse, or empty it.
      const busy = Math.floor(minute / 2000) % 2 === 0;
      if (r() < (busy ? 0.6 : 0.02)) {
        const h = keys.length > 0 && r() < 0.3 ? keys[Math.floor(r() * keys.length)]! : Math.floor(r() * 2 ** 32);
        keys.push(h);
        if (keys.length > 200) keys.shift();
        const payload = minute * 2 + (r() < 0.5 ? 1 : 0);
        if (r() < 0.5) {
          ref = tablePut(ref, slots, h, payload, BITS);
          t = inlinePut(t, HEAD.length, slots, h, payload, BITS);
        } else {
          const a = tableAdd(ref, slots, h, payload, BITS);
          const b = inlineAdd(t, HEAD.length, slots, h, payload, BITS);
          assert.equal(b === null, a === null);
          if (a !== null) ref = a;
          if (b !== null) t = b;
        }
      }
      if (minute % 60 === 0) {
        const min = (minute - 300) * 2;
        ref = tableExpire(ref, slots, min, BITS);
        t = inlineExpire(t, HEAD.length, slots, min, BITS);
      }
      if (minute % 97 === 0) for (const h of keys) assert.equal(inlineGet(t, HEAD.length, slots, h, BITS), tableGet(ref, slots, h, BITS));
      assert.deepEqual(t.slice(HEAD.length), [...ref]);
      assert.deepEqual(t.slice(0, HEAD.length), HEAD);
      assert.equal(inlineLowest(t, HEAD.length, slots, BITS, 2), lowest(ref, slots, BITS, 2));
      layouts.add(ref.length === 0 ? 'empty' : ref.length >= slots ? 'dense' : 'sparse');
    }
    assert.ok(layouts.has('dense') && (slots === 2 || layouts.has('sparse')), [...layouts].join());
  });
}
