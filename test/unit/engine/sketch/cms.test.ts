import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash32, hash32b } from '../../../../src/engine/sketch/hash.js';
import { cmsAdd, cmsCreate, cmsEstimate, cmsScale, type CmsState } from '../../../../src/engine/sketch/cms.js';

test('never under-counts, and over-counts by at most e·N/w for all but a few keys', () => {
  const width = 64;
  const s = cmsCreate(width, 4);
  const truth = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < 20_000; i++) {
    // Zipf-like: key k appears about 1/k as often.
    const k = `k${Math.floor(1000 / (1 + (i % 1000)))}-${i % 7}`;
    truth.set(k, (truth.get(k) ?? 0) + 1);
    cmsAdd(s, hash32(k), hash32b(k));
    total++;
  }
  const bound = (Math.E * total) / width;
  let over = 0;
  for (const [k, n] of truth) {
    const est = cmsEstimate(s, hash32(k), hash32b(k));
    assert.ok(est >= n, `${k}: ${est} < ${n}`);
    if (est - n > bound) over++;
  }
  // Theory: fails with probability e^-4 ≈ 1.8 % per key.
  assert.ok(over <= truth.size * 0.05, `${over} of ${truth.size} keys over the bound`);
});

test('heavy keys are estimated closely; an absent key reads near 0', () => {
  const s = cmsCreate(256, 4);
  for (let i = 0; i < 5000; i++) {
    const k = i % 10 === 0 ? 'heavy' : `light-${i}`;
    cmsAdd(s, hash32(k), hash32b(k));
  }
  const heavy = cmsEstimate(s, hash32('heavy'), hash32b('heavy'));
  assert.ok(heavy >= 500 && heavy <= 500 + (Math.E * 5000) / 256, `heavy ${heavy}`);
  assert.ok(cmsEstimate(s, hash32('never'), hash32b('never')) <= (Math.E * 5000) / 256);
});

test('scale decays every counter; JSON round-trip continues identically', () => {
  const s = cmsCreate(32, 3);
  for (let i = 0; i < 100; i++) cmsAdd(s, hash32('a'), hash32b('a'));
  cmsScale(s, 0.5);
  assert.equal(cmsEstimate(s, hash32('a'), hash32b('a')), 50);
  const r = JSON.parse(JSON.stringify(s)) as CmsState;
  cmsAdd(s, hash32('b'), hash32b('b'), 3);
  cmsAdd(r, hash32('b'), hash32b('b'), 3);
  assert.deepEqual(r, s);
});
