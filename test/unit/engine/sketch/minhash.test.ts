import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash32 } from '../../../../src/engine/sketch/hash.js';
import {
  bbitJaccard,
  bbitPack,
  hamming64,
  jaccardEstimate,
  minhash,
  popcount32,
  shingleHashes,
  simhash64,
  words,
} from '../../../../src/engine/sketch/minhash.js';

function setOf(prefix: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(hash32(`${prefix}${i}`));
  return out;
}

test('words lower-cases and splits on anything but letters and digits, Unicode included', () => {
  assert.deepEqual(words('Great, GREAT product!! Größe 42 — très bien'), ['great', 'great', 'product', 'größe', '42', 'très', 'bien']);
  assert.deepEqual(words(''), []);
});

test('shingles are distinct and order-sensitive for bigrams', () => {
  const ab = shingleHashes(['red', 'lamp']);
  const ba = shingleHashes(['lamp', 'red']);
  assert.equal(ab.length, 3);
  assert.notDeepEqual(ab, ba);
  assert.equal(shingleHashes(['x', 'x', 'x']).length, 2);
});

test('MinHash estimates Jaccard within 3 standard errors (k = 128)', () => {
  for (const [overlap, size] of [
    [0, 100],
    [50, 100],
    [90, 100],
  ] as const) {
    const a = setOf('f', 0, size);
    const b = setOf('f', size - overlap, 2 * size - overlap);
    const truth = overlap / (2 * size - overlap);
    const est = jaccardEstimate(minhash(a, 128), minhash(b, 128));
    const se = Math.sqrt((truth * (1 - truth)) / 128) + 0.01;
    assert.ok(Math.abs(est - truth) <= 3 * se, `J=${truth} est=${est}`);
  }
});

test('b-bit signatures (32 × 2 bits) separate near-duplicates from unrelated sets', () => {
  const base = setOf('w', 0, 30);
  const near = setOf('w', 3, 33); // J = 27/33 ≈ 0.82
  const far = setOf('v', 0, 30); // J = 0
  const pack = (f: number[]) => bbitPack(minhash(f, 32), 2);
  assert.equal(pack(base).length, 2);
  assert.equal(bbitJaccard(pack(base), pack(base), 32, 2), 1);
  assert.ok(bbitJaccard(pack(base), pack(near), 32, 2) >= 0.5);
  assert.ok(bbitJaccard(pack(base), pack(far), 32, 2) < 0.5);
  // 8-bit packing of 16 minima: 4 per number.
  assert.equal(bbitPack(minhash(base, 16), 8).length, 4);
});

test('SimHash: identical texts have distance 0, unrelated ones about 32 of 64 bits', () => {
  const a = simhash64(setOf('w', 0, 40));
  const b = simhash64(setOf('w', 2, 42));
  const c = simhash64(setOf('z', 0, 40));
  assert.equal(hamming64(a, a), 0);
  assert.ok(hamming64(a, b) < hamming64(a, c), `${hamming64(a, b)} vs ${hamming64(a, c)}`);
  assert.ok(hamming64(a, c) >= 16 && hamming64(a, c) <= 48);
  assert.equal(popcount32(0xffffffff), 32);
  assert.equal(popcount32(0x80000001), 2);
});
